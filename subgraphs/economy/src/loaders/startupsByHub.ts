/** Loader: the startups each innovation hub hosts. */
import { createGroupLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EconomyModels, StartupDoc } from '../models/index.js';

/** The startups of each hub, by id. One query per batch of hubs. */
export function startupsByHub(models: EconomyModels) {
  return createGroupLoader<string, StartupDoc>(
    (hubIds) =>
      models.Startup.find({ hubId: { $in: [...hubIds] } })
        .sort({ _id: 1 })
        .lean<StartupDoc[]>()
        .exec(),
    (doc) => doc.hubId ?? [],
  );
}
