/** Loader: transit lines by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, TransitLineDoc } from '../models/index.js';

/** transit lines by id. One query per batch. */
export function transitLineById(models: MobilityModels) {
  return createByKeyLoader<string, TransitLineDoc>(
    (ids) =>
      models.TransitLine.find({ _id: { $in: [...ids] } })
        .lean<TransitLineDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
