/** Loader: transit lines by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TransitLineDoc } from '../models/index.js';

/** transit lines by id. One query per batch. */
export function transitLineById(models: MobilityModels) {
  return createByIdLoader<TransitLineDoc>(models.TransitLine);
}
