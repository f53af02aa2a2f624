/** Loader: businesses by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EconomyModels, BusinessDoc } from '../models/index.js';

/** businesses by id. One query per batch. */
export function businessById(models: EconomyModels) {
  return createByIdLoader<BusinessDoc>(models.Business);
}
