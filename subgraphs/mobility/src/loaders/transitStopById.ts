/** Loader: transit stops by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TransitStopDoc } from '../models/index.js';

/** transit stops by id. One query per batch. */
export function transitStopById(models: MobilityModels) {
  return createByIdLoader<TransitStopDoc>(models.TransitStop);
}
