/** Loader: the traffic sensors near each point (a geo query on their positions). */
import { createNearbyLoader } from '../../../../lib/subgraph-kit/nearbyLoader.js';
import type { MobilityModels, TrafficSensorDoc } from '../models/index.js';

/** The traffic sensors within a radius of each point, nearest first. One query per batch of points. */
export function trafficSensorsNear(models: MobilityModels) {
  return createNearbyLoader<TrafficSensorDoc>(models.TrafficSensor, {
    locationOf: (doc) => doc.location,
  });
}
