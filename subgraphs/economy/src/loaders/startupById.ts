/** Loader: startups by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { EconomyModels, StartupDoc } from '../models/index.js';

/** startups by id. One query per batch. */
export function startupById(models: EconomyModels) {
  return createByKeyLoader<string, StartupDoc>(
    (ids) =>
      models.Startup.find({ _id: { $in: [...ids] } })
        .lean<StartupDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
