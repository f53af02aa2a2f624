/**
 * Where engagement's personal data with a retention period is stored, for
 * the retention job (lib/subgraph-kit/retention.ts). The periods themselves
 * are declared in schema.graphql (`@tag(name: "retention:P1Y")`); the job
 * refuses to start if one of them has no entry here.
 */
import type { Model } from 'mongoose';
import { readAccessRules } from '../../../lib/records/access/index.js';
import type { Logger } from '../../../lib/runtime/logger.js';
import {
  createRetentionJob,
  type RetentionJob,
} from '../../../lib/subgraph-kit/retention.js';
import type { EngagementModels } from './models/index.js';

/** The mark left in a required text field whose value was erased. */
export const ERASED = '[effacé]';

/** Builds engagement's retention job over its models. */
export function createEngagementRetention(
  typeDefs: Parameters<typeof readAccessRules>[0],
  models: EngagementModels,
  logger: Logger,
): RetentionJob {
  return createRetentionJob({
    rules: readAccessRules(typeDefs),
    logger,
    types: {
      // Counted from when the report was filed.
      CitizenReport: {
        model: models.CitizenReport as unknown as Model<never>,
        ageField: 'requestedDatetime',
        subjectPath: 'submittedBy',
        fields: {
          reporterName: { path: 'reporterName' },
          reporterEmail: { path: 'reporterEmail' },
          reporterPhone: { path: 'reporterPhone' },
          originalDescription: { path: 'descriptionOriginal' },
        },
      },
      // Counted from the enrolment. Name and e-mail are required, and the
      // e-mail unique per workshop: they get a pseudonym, the phone is erased.
      Enrolment: {
        model: models.Enrolment as unknown as Model<never>,
        ageField: 'enrolledAt',
        subjectPath: 'enrolledBy',
        fields: {
          participantName: { path: 'participantName', erased: () => ERASED },
          participantEmail: {
            path: 'participantEmail',
            erased: (id) => `erased-${id}@invalid`,
          },
          participantPhone: { path: 'participantPhone' },
        },
      },
    },
  });
}
