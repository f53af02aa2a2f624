/** Loader: the bike stations of each district. */
import { createGroupLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, BikeStationDoc } from '../models/index.js';

/** the bike stations of each district. One query per batch of districts. */
export function bikeStationsByDistrict(models: MobilityModels) {
  return createGroupLoader<string, BikeStationDoc>(
    (codes) =>
      models.BikeStation.find({ district: { $in: [...codes] } })
        .sort({ _id: 1 })
        .lean<BikeStationDoc[]>()
        .exec(),
    (doc) => doc.district,
  );
}
