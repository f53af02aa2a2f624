/** Loader: water meter readings by id (`<meterId>@<observedAt>`). */
import { createReadingByIdLoader } from '../../../../lib/subgraph-kit/readingSeries.js';
import type {
  EnvironmentModels,
  WaterConsumptionObservedDoc,
} from '../models/index.js';

/** Water meter readings by id. One query per batch, through the series index. */
export function waterReadingById(models: EnvironmentModels) {
  return createReadingByIdLoader<WaterConsumptionObservedDoc>(
    models.WaterConsumptionObserved,
  );
}
