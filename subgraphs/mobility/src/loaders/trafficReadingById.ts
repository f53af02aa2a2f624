/** Loader: traffic flow readings by id (`<sensorId>@<observedAt>`). */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TrafficFlowReadingDoc } from '../models/index.js';

/** Traffic flow readings by id. One query per batch. */
export function trafficReadingById(models: MobilityModels) {
  return createByIdLoader<TrafficFlowReadingDoc>(models.TrafficFlowReading);
}
