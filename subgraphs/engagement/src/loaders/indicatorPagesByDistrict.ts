/** Loader: pages of each district's digital-inclusion indicators, newest first. */
import { createTimeSeriesPages } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import type {
  DigitalInclusionIndicatorDoc,
  EngagementModels,
} from '../models/index.js';

/**
 * One aggregation per batch of districts asking for the same page. One
 * indicator per district and period is unique, not per `observedAt`, so
 * `_id` breaks ties.
 */
export function indicatorPagesByDistrict(models: EngagementModels) {
  return createTimeSeriesPages<DigitalInclusionIndicatorDoc>(
    models.DigitalInclusionIndicator,
    'district',
    'observedAt',
    { pagesBackward: true, sortIsUnique: false },
  );
}
