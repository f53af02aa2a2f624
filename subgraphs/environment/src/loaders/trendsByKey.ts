/** Loaders: stations' air-quality trends and districts' water-balance trends, one read of the rollups per range and resolution. */
import type { RollupSettings } from '../../../../lib/subgraph-kit/rollupJob.js';
import { createTrendLoader } from '../../../../lib/subgraph-kit/trendLoader.js';
import {
  AIR_QUALITY_ROLLUPS,
  WATER_CONSUMPTION_ROLLUPS,
} from '../analysis/readingRollups.js';
import type { EnvironmentModels } from '../models/index.js';

/** A station's air-quality trend (once per request). */
export function airQualityTrendByStation(
  models: EnvironmentModels,
  rollups?: RollupSettings,
) {
  return createTrendLoader({
    connection: models.AirQualityObserved.db,
    series: AIR_QUALITY_ROLLUPS,
    scope: 'device',
    ...(rollups ? { rawRetentionDays: rollups.rawRetentionDays } : {}),
  });
}

/** A district's water-balance trend (once per request). */
export function waterBalanceTrendByDistrict(
  models: EnvironmentModels,
  rollups?: RollupSettings,
) {
  return createTrendLoader({
    connection: models.WaterConsumptionObserved.db,
    series: WATER_CONSUMPTION_ROLLUPS,
    scope: 'district',
    ...(rollups ? { rawRetentionDays: rollups.rawRetentionDays } : {}),
  });
}
