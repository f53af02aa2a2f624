/** Loader: the innovation hubs of each district. */
import { createGroupByFieldLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EconomyModels, InnovationHubDoc } from '../models/index.js';

/** The innovation hubs of each district. One query per batch of districts. */
export function innovationHubsByDistrict(models: EconomyModels) {
  return createGroupByFieldLoader<InnovationHubDoc>(
    models.InnovationHub,
    'district',
  );
}
