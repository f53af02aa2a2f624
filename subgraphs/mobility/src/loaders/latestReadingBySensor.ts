/** Loader: the latest flow reading of each traffic sensor. */
import { createLatestByKeyLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TrafficFlowReadingDoc } from '../models/index.js';

/** The newest reading of each sensor (null if none), one aggregation per batch. */
export function latestReadingBySensor(models: MobilityModels) {
  return createLatestByKeyLoader<TrafficFlowReadingDoc>(
    models.TrafficFlowReading,
    'sensorId',
    'observedAt',
  );
}
