/** Loader: pages of each traffic sensor's flow readings, newest first. */
import { createTimeSeriesPages } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import type { MobilityModels, TrafficFlowReadingDoc } from '../models/index.js';

/** One aggregation per batch of sensors asking for the same page. */
export function trafficReadingPagesBySensor(models: MobilityModels) {
  return createTimeSeriesPages<TrafficFlowReadingDoc>(
    models.TrafficFlowReading,
    'device.id',
  );
}
