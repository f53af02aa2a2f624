/** Loader: traffic sensors by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TrafficSensorDoc } from '../models/index.js';

/** traffic sensors by id. One query per batch. */
export function trafficSensorById(models: MobilityModels) {
  return createByIdLoader<TrafficSensorDoc>(models.TrafficSensor);
}
