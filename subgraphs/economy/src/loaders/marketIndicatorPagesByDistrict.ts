/** Loader: pages of each district's market indicators, newest period first. */
import { createTimeSeriesPages } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import type { EconomyModels, MarketIndicatorDoc } from '../models/index.js';

/**
 * One aggregation per batch of districts asking for the same page. A district
 * has one indicator per period (unique index), so `_id` never breaks a tie.
 */
export function marketIndicatorPagesByDistrict(models: EconomyModels) {
  return createTimeSeriesPages<MarketIndicatorDoc>(
    models.MarketIndicator,
    'district',
    'periodStart',
    { pagesBackward: true },
  );
}
