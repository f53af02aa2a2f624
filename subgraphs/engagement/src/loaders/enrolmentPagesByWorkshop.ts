/** Loader: pages of each workshop's enrolments, in enrolment order. */
import { createParentPages } from '../../../../lib/subgraph-kit/parentPages.js';
import type { EngagementModels, EnrolmentDoc } from '../models/index.js';

/** One aggregation per batch of workshops asking for the same page. */
export function enrolmentPagesByWorkshop(models: EngagementModels) {
  return createParentPages<EnrolmentDoc>(models.Enrolment, {
    keyField: 'workshopId',
    sortField: 'enrolledAt',
    direction: 1,
  });
}
