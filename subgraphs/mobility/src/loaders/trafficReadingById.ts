/** Loader: traffic flow readings by id (`<sensorId>@<observedAt>`). */
import { createReadingByIdLoader } from '../../../../lib/subgraph-kit/readingSeries.js';
import type { MobilityModels, TrafficFlowReadingDoc } from '../models/index.js';

/** Traffic flow readings by id. One query per batch, through the series index. */
export function trafficReadingById(models: MobilityModels) {
  return createReadingByIdLoader<TrafficFlowReadingDoc>(
    models.TrafficFlowReading,
  );
}
