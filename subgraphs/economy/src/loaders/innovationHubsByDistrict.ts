/** Loader: the innovation hubs of each district. */
import { createGroupLoader } from '../../../../lib/loaders.js';
import type { EconomyModels, InnovationHubDoc } from '../models/index.js';

/** The innovation hubs of each district. One query per batch of districts. */
export function innovationHubsByDistrict(models: EconomyModels) {
  return createGroupLoader<string, InnovationHubDoc>(
    (codes) =>
      models.InnovationHub.find({ district: { $in: [...codes] } })
        .sort({ _id: 1 })
        .lean<InnovationHubDoc[]>()
        .exec(),
    (doc) => doc.district,
  );
}
