/** Loader: the workshops of each training programme. */
import { createGroupLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EngagementModels, WorkshopDoc } from '../models/index.js';

/** The workshops of each programme, in start order. One query per batch of programmes. */
export function workshopsByProgram(models: EngagementModels) {
  return createGroupLoader<string, WorkshopDoc>(
    (programIds) =>
      models.Workshop.find({ programId: { $in: [...programIds] } })
        .sort({ startsAt: 1, _id: 1 })
        .lean<WorkshopDoc[]>()
        .exec(),
    (doc) => doc.programId ?? '',
  );
}
