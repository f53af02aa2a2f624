/** Loader: the latest air-quality reading of each station. */
import { createLatestByKeyLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  AirQualityObservedDoc,
  EnvironmentModels,
} from '../models/index.js';

/** The latest air-quality reading of each station (null if none), one aggregation per batch. */
export function latestAirQualityByStation(models: EnvironmentModels) {
  return createLatestByKeyLoader<AirQualityObservedDoc>(
    models.AirQualityObserved,
    'stationId',
    'observedAt',
  );
}
