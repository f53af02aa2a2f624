/** Loader: districts' congestion trends, one read of the traffic rollups per range and resolution. */
import type { RollupSettings } from '../../../../lib/subgraph-kit/rollupJob.js';
import { createTrendLoader } from '../../../../lib/subgraph-kit/trendLoader.js';
import { TRAFFIC_FLOW_ROLLUPS } from '../analysis/congestionTrend.js';
import type { MobilityModels } from '../models/index.js';

/** Creates the loader (once per request). */
export function congestionTrendByDistrict(
  models: MobilityModels,
  rollups?: RollupSettings,
) {
  return createTrendLoader({
    connection: models.TrafficFlowReading.db,
    series: TRAFFIC_FLOW_ROLLUPS,
    scope: 'district',
    ...(rollups ? { rawRetentionDays: rollups.rawRetentionDays } : {}),
  });
}
