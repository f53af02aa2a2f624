/** Loader: innovation hubs by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EconomyModels, InnovationHubDoc } from '../models/index.js';

/** innovation hubs by id. One query per batch. */
export function innovationHubById(models: EconomyModels) {
  return createByIdLoader<InnovationHubDoc>(models.InnovationHub);
}
