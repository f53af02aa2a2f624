/** Loader: traffic lights by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, TrafficLightDoc } from '../models/index.js';

/** traffic lights by id. One query per batch. */
export function trafficLightById(models: MobilityModels) {
  return createByKeyLoader<string, TrafficLightDoc>(
    (ids) =>
      models.TrafficLight.find({ _id: { $in: [...ids] } })
        .lean<TrafficLightDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
