/** Loader: the traffic sensors of each district. */
import { createGroupByFieldLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TrafficSensorDoc } from '../models/index.js';

/** the traffic sensors of each district. One query per batch of districts. */
export function trafficSensorsByDistrict(models: MobilityModels) {
  return createGroupByFieldLoader<TrafficSensorDoc>(
    models.TrafficSensor,
    'district',
  );
}
