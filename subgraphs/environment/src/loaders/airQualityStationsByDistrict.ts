/** Loader: the air-quality stations of each district. */
import { createGroupLoader } from '../../../../lib/loaders.js';
import type {
  EnvironmentModels,
  AirQualityStationDoc,
} from '../models/index.js';

/** the air-quality stations of each district. One query per batch of keys. */
export function airQualityStationsByDistrict(models: EnvironmentModels) {
  return createGroupLoader<string, AirQualityStationDoc>(
    (keys) =>
      models.AirQualityStation.find({ district: { $in: [...keys] } })
        .sort({ _id: 1 })
        .lean<AirQualityStationDoc[]>()
        .exec(),
    (doc) => doc.district,
  );
}
