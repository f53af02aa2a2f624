/** Loader: innovation hubs by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { EconomyModels, InnovationHubDoc } from '../models/index.js';

/** innovation hubs by id. One query per batch. */
export function innovationHubById(models: EconomyModels) {
  return createByKeyLoader<string, InnovationHubDoc>(
    (ids) =>
      models.InnovationHub.find({ _id: { $in: [...ids] } })
        .lean<InnovationHubDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
