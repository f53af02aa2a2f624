/** Loader: training programmes by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EngagementModels, TrainingProgramDoc } from '../models/index.js';

/** training programmes by id. One query per batch. */
export function trainingProgramById(models: EngagementModels) {
  return createByIdLoader<TrainingProgramDoc>(models.TrainingProgram);
}
