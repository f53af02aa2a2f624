/** Loader: training programmes by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { EngagementModels, TrainingProgramDoc } from '../models/index.js';

/** training programmes by id. One query per batch. */
export function trainingProgramById(models: EngagementModels) {
  return createByKeyLoader<string, TrainingProgramDoc>(
    (ids) =>
      models.TrainingProgram.find({ _id: { $in: [...ids] } })
        .lean<TrainingProgramDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
