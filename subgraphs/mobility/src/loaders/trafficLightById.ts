/** Loader: traffic lights by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TrafficLightDoc } from '../models/index.js';

/** traffic lights by id. One query per batch. */
export function trafficLightById(models: MobilityModels) {
  return createByIdLoader<TrafficLightDoc>(models.TrafficLight);
}
