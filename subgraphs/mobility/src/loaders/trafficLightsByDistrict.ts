/** Loader: the traffic lights of each district. */
import { createGroupByFieldLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TrafficLightDoc } from '../models/index.js';

/** the traffic lights of each district. One query per batch of districts. */
export function trafficLightsByDistrict(models: MobilityModels) {
  return createGroupByFieldLoader<TrafficLightDoc>(
    models.TrafficLight,
    'district',
  );
}
