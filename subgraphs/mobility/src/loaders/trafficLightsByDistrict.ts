/** Loader: the traffic lights of each district. */
import { createGroupLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, TrafficLightDoc } from '../models/index.js';

/** the traffic lights of each district. One query per batch of districts. */
export function trafficLightsByDistrict(models: MobilityModels) {
  return createGroupLoader<string, TrafficLightDoc>(
    (codes) =>
      models.TrafficLight.find({ district: { $in: [...codes] } })
        .sort({ _id: 1 })
        .lean<TrafficLightDoc[]>()
        .exec(),
    (doc) => doc.district,
  );
}
