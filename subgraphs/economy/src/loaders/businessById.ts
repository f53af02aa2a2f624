/** Loader: businesses by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { EconomyModels, BusinessDoc } from '../models/index.js';

/** businesses by id. One query per batch. */
export function businessById(models: EconomyModels) {
  return createByKeyLoader<string, BusinessDoc>(
    (ids) =>
      models.Business.find({ _id: { $in: [...ids] } })
        .lean<BusinessDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
