/** Loader: bike stations by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, BikeStationDoc } from '../models/index.js';

/** bike stations by id. One query per batch. */
export function bikeStationById(models: MobilityModels) {
  return createByKeyLoader<string, BikeStationDoc>(
    (ids) =>
      models.BikeStation.find({ _id: { $in: [...ids] } })
        .lean<BikeStationDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
