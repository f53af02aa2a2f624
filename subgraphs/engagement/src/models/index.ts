/** Engagement's models, bound to the subgraph's own connection. */
import type { Connection } from 'mongoose';
import { createSharedModels } from '../../../../lib/subgraph-kit/models/createSharedModels.js';
import { citizenReportSchema, type CitizenReportDoc } from './CitizenReport.js';
import {
  digitalInclusionIndicatorSchema,
  type DigitalInclusionIndicatorDoc,
} from './DigitalInclusionIndicator.js';
import { enrolmentSchema, type EnrolmentDoc } from './Enrolment.js';
import {
  surveySchema,
  type SurveyDoc,
  type SurveyQuestionDoc,
} from './Survey.js';
import {
  trainingProgramSchema,
  type TrainingProgramDoc,
} from './TrainingProgram.js';
import { workshopSchema, type WorkshopDoc } from './Workshop.js';
import { socialPostSchema, type SocialPostDoc } from './SocialPost.js';

/** Compiles the models on `connection` (once per connection). */
export function createModels(connection: Connection) {
  return {
    ...createSharedModels(connection),
    Workshop: connection.model<WorkshopDoc>('Workshop', workshopSchema),
    TrainingProgram: connection.model<TrainingProgramDoc>(
      'TrainingProgram',
      trainingProgramSchema,
    ),
    Enrolment: connection.model<EnrolmentDoc>('Enrolment', enrolmentSchema),
    CitizenReport: connection.model<CitizenReportDoc>(
      'CitizenReport',
      citizenReportSchema,
    ),
    Survey: connection.model<SurveyDoc>('Survey', surveySchema),
    SocialPost: connection.model<SocialPostDoc>('SocialPost', socialPostSchema),
    DigitalInclusionIndicator: connection.model<DigitalInclusionIndicatorDoc>(
      'DigitalInclusionIndicator',
      digitalInclusionIndicatorSchema,
    ),
  };
}

export type {
  CitizenReportDoc,
  DigitalInclusionIndicatorDoc,
  EnrolmentDoc,
  SocialPostDoc,
  SurveyDoc,
  SurveyQuestionDoc,
  TrainingProgramDoc,
  WorkshopDoc,
};

/** Every engagement model. */
export type EngagementModels = ReturnType<typeof createModels>;
