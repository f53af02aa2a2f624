/** Engagement's resolver map: one file per GraphQL type (or per small family of types). */
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { recordSourceResolvers } from '../../../../lib/subgraph-kit/provenance.js';
import { quarantinedRecordResolvers } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import { DateTimeScalar } from '../../../../lib/subgraph-kit/scalars.js';
import { CitizenReport } from './CitizenReport.js';
import {
  DigitalInclusion,
  DigitalInclusionIndicator,
} from './DigitalInclusion.js';
import { District } from './District.js';
import { Enrolment, EnrolmentReceipt } from './Enrolment.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { SocialTopicCount } from './SocialTopicCount.js';
import { Survey, SurveyQuestion } from './Survey.js';
import { TrafficLight } from './TrafficLight.js';
import { TrainingProgram, Workshop } from './Workshop.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
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
  RecordSource: recordSourceResolvers,
  QuarantinedRecord: quarantinedRecordResolvers,
  SocialTopicCount,
};
