/** Loader: workshops by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { EngagementModels, WorkshopDoc } from '../models/index.js';

/** workshops by id. One query per batch. */
export function workshopById(models: EngagementModels) {
  return createByKeyLoader<string, WorkshopDoc>(
    (ids) =>
      models.Workshop.find({ _id: { $in: [...ids] } })
        .lean<WorkshopDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
