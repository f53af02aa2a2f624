/** Loader: the traffic sensors of each district. */
import { createGroupLoader } from '../../../../lib/loaders.js';
import type { MobilityModels, TrafficSensorDoc } from '../models/index.js';

/** the traffic sensors of each district. One query per batch of districts. */
export function trafficSensorsByDistrict(models: MobilityModels) {
  return createGroupLoader<string, TrafficSensorDoc>(
    (codes) =>
      models.TrafficSensor.find({ district: { $in: [...codes] } })
        .sort({ _id: 1 })
        .lean<TrafficSensorDoc[]>()
        .exec(),
    (doc) => doc.district,
  );
}
