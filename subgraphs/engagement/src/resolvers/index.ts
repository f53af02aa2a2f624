/** Engagement's resolver map: one file per GraphQL type (or per small family of types). */
import { DateTimeScalar } from '../../../../lib/scalars.js';
import { CitizenReport, CitizenReportStatus } from './CitizenReport.js';
import {
  DigitalInclusion,
  DigitalInclusionIndicator,
} from './DigitalInclusion.js';
import { District } from './District.js';
import { Enrolment, EnrolmentReceipt } from './Enrolment.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { Survey, SurveyQuestion } from './Survey.js';
import { TrafficLight } from './TrafficLight.js';
import { TrainingProgram, Workshop } from './Workshop.js';

export const resolvers = {
  DateTime: DateTimeScalar,
  CitizenReportStatus,
  Query,
  Mutation,
  District,
  Workshop,
  TrainingProgram,
  Enrolment,
  EnrolmentReceipt,
  CitizenReport,
  TrafficLight,
  Survey,
  SurveyQuestion,
  DigitalInclusion,
  DigitalInclusionIndicator,
};
