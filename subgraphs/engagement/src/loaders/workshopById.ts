/** Loader: workshops by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EngagementModels, WorkshopDoc } from '../models/index.js';

/** workshops by id. One query per batch. */
export function workshopById(models: EngagementModels) {
  return createByIdLoader<WorkshopDoc>(models.Workshop);
}
