/** Loader: the transit stops near each point (a geo query on their positions). */
import { createNearbyLoader } from '../../../../lib/subgraph-kit/nearbyLoader.js';
import type { MobilityModels, TransitStopDoc } from '../models/index.js';

/** The transit stops within a radius of each point, nearest first. One query per batch of points. */
export function transitStopsNear(models: MobilityModels) {
  return createNearbyLoader<TransitStopDoc>(models.TransitStop, {
    locationOf: (doc) => doc.location,
  });
}
