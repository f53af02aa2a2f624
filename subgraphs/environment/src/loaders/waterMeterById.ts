/** Loader: water meters by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { EnvironmentModels, WaterMeterDoc } from '../models/index.js';

/** water meters by id. One query per batch. */
export function waterMeterById(models: EnvironmentModels) {
  return createByKeyLoader<string, WaterMeterDoc>(
    (ids) =>
      models.WaterMeter.find({ _id: { $in: [...ids] } })
        .lean<WaterMeterDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
