/** Loader: water meter readings by id (`<meterId>@<observedAt>`). */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type {
  EnvironmentModels,
  WaterConsumptionObservedDoc,
} from '../models/index.js';

/** Water meter readings by id. One query per batch. */
export function waterReadingById(models: EnvironmentModels) {
  return createByIdLoader<WaterConsumptionObservedDoc>(
    models.WaterConsumptionObserved,
  );
}
