/** Loader: startups by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EconomyModels, StartupDoc } from '../models/index.js';

/** startups by id. One query per batch. */
export function startupById(models: EconomyModels) {
  return createByIdLoader<StartupDoc>(models.Startup);
}
