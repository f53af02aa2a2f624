/** Loader: transit stops by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, TransitStopDoc } from '../models/index.js';

/** transit stops by id. One query per batch. */
export function transitStopById(models: MobilityModels) {
  return createByKeyLoader<string, TransitStopDoc>(
    (ids) =>
      models.TransitStop.find({ _id: { $in: [...ids] } })
        .lean<TransitStopDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
