/** Loader: pages of each district's citizen reports, newest first. */
import { createTimeSeriesPages } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import type { CitizenReportDoc, EngagementModels } from '../models/index.js';

/** One aggregation per batch of districts asking for the same page (and status); `_id` breaks ties. */
export function citizenReportPagesByDistrict(models: EngagementModels) {
  return createTimeSeriesPages<CitizenReportDoc>(
    models.CitizenReport,
    'district',
    'requestedDatetime',
    { pagesBackward: true, sortIsUnique: false },
  );
}
