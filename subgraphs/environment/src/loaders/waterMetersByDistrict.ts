/** Loader: the water meters of each district. */
import { createGroupLoader } from '../../../../lib/loaders.js';
import type { EnvironmentModels, WaterMeterDoc } from '../models/index.js';

/** the water meters of each district. One query per batch of keys. */
export function waterMetersByDistrict(models: EnvironmentModels) {
  return createGroupLoader<string, WaterMeterDoc>(
    (keys) =>
      models.WaterMeter.find({ district: { $in: [...keys] } })
        .sort({ _id: 1 })
        .lean<WaterMeterDoc[]>()
        .exec(),
    (doc) => doc.district,
  );
}
