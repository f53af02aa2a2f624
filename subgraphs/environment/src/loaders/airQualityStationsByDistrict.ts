/** Loader: the air-quality stations of each district. */
import { createGroupByFieldLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  EnvironmentModels,
  AirQualityStationDoc,
} from '../models/index.js';

/** the air-quality stations of each district. One query per batch of keys. */
export function airQualityStationsByDistrict(models: EnvironmentModels) {
  return createGroupByFieldLoader<AirQualityStationDoc>(
    models.AirQualityStation,
    'district',
  );
}
