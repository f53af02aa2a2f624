/** Loader: the latest noise reading of each station. */
import { createLatestByKeyLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  EnvironmentModels,
  NoiseLevelObservedDoc,
} from '../models/index.js';

/** The latest noise reading of each station (null if none), one aggregation per batch. */
export function latestNoiseLevelByStation(models: EnvironmentModels) {
  return createLatestByKeyLoader<NoiseLevelObservedDoc>(
    models.NoiseLevelObserved,
    'stationId',
    'observedAt',
  );
}
