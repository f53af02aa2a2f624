/** Loader: the latest reading of each water meter. */
import { createLatestByKeyLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  EnvironmentModels,
  WaterConsumptionObservedDoc,
} from '../models/index.js';

/** The latest reading of each water meter (null if none), one aggregation per batch. */
export function latestWaterReadingByMeter(models: EnvironmentModels) {
  return createLatestByKeyLoader<WaterConsumptionObservedDoc>(
    models.WaterConsumptionObserved,
    'device.id',
    'observedAt',
  );
}
