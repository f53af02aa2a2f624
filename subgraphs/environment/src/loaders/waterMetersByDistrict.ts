/** Loader: the water meters of each district. */
import { createGroupByFieldLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EnvironmentModels, WaterMeterDoc } from '../models/index.js';

/** the water meters of each district. One query per batch of keys. */
export function waterMetersByDistrict(models: EnvironmentModels) {
  return createGroupByFieldLoader<WaterMeterDoc>(models.WaterMeter, 'district');
}
