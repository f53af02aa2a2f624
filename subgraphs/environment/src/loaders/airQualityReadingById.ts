/** Loader: air-quality readings by id (`<stationId>@<observedAt>`). */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  AirQualityObservedDoc,
  EnvironmentModels,
} from '../models/index.js';

/** Air-quality readings by id. One query per batch. */
export function airQualityReadingById(models: EnvironmentModels) {
  return createByIdLoader<AirQualityObservedDoc>(models.AirQualityObserved);
}
