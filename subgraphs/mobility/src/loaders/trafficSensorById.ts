/** Loader: traffic sensors by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, TrafficSensorDoc } from '../models/index.js';

/** traffic sensors by id. One query per batch. */
export function trafficSensorById(models: MobilityModels) {
  return createByKeyLoader<string, TrafficSensorDoc>(
    (ids) =>
      models.TrafficSensor.find({ _id: { $in: [...ids] } })
        .lean<TrafficSensorDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
