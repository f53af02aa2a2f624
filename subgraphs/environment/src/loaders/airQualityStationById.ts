/** Loader: air-quality stations by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  EnvironmentModels,
  AirQualityStationDoc,
} from '../models/index.js';

/** air-quality stations by id. One query per batch. */
export function airQualityStationById(models: EnvironmentModels) {
  return createByIdLoader<AirQualityStationDoc>(models.AirQualityStation);
}
