/** Loader: air-quality stations by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type {
  EnvironmentModels,
  AirQualityStationDoc,
} from '../models/index.js';

/** air-quality stations by id. One query per batch. */
export function airQualityStationById(models: EnvironmentModels) {
  return createByKeyLoader<string, AirQualityStationDoc>(
    (ids) =>
      models.AirQualityStation.find({ _id: { $in: [...ids] } })
        .lean<AirQualityStationDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
