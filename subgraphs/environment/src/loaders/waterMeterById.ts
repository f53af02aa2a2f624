/** Loader: water meters by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EnvironmentModels, WaterMeterDoc } from '../models/index.js';

/** water meters by id. One query per batch. */
export function waterMeterById(models: EnvironmentModels) {
  return createByIdLoader<WaterMeterDoc>(models.WaterMeter);
}
