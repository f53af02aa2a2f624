/** Loader: pages of each district's workshops, latest start first. */
import { createTimeSeriesPages } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import type { EngagementModels, WorkshopDoc } from '../models/index.js';

/** One aggregation per batch of districts asking for the same page; workshops may start together (`_id` breaks ties). */
export function workshopPagesByDistrict(models: EngagementModels) {
  return createTimeSeriesPages<WorkshopDoc>(
    models.Workshop,
    'district',
    'startsAt',
    { pagesBackward: true, sortIsUnique: false },
  );
}
