/** Loader: air-quality readings by id (`<stationId>@<observedAt>`). */
import { createReadingByIdLoader } from '../../../../lib/subgraph-kit/readingSeries.js';
import type {
  AirQualityObservedDoc,
  EnvironmentModels,
} from '../models/index.js';

/** Air-quality readings by id. One query per batch, through the series index. */
export function airQualityReadingById(models: EnvironmentModels) {
  return createReadingByIdLoader<AirQualityObservedDoc>(
    models.AirQualityObserved,
  );
}
