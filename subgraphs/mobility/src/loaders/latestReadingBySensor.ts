/** Loader: the latest flow reading of each traffic sensor. */
import DataLoader from 'dataloader';
import type { MobilityModels, TrafficFlowReadingDoc } from '../models/index.js';

/** The newest reading of each sensor (null if none), one aggregation per batch. */
export function latestReadingBySensor(models: MobilityModels) {
  return new DataLoader<string, TrafficFlowReadingDoc | null>(
    async (sensorIds) => {
      const rows = await models.TrafficFlowReading.aggregate<{
        _id: string;
        reading: TrafficFlowReadingDoc;
      }>([
        { $match: { sensorId: { $in: [...sensorIds] } } },
        { $sort: { observedAt: -1 } },
        { $group: { _id: '$sensorId', reading: { $first: '$$ROOT' } } },
      ]).exec();
      const bySensor = new Map(rows.map((row) => [row._id, row.reading]));
      return sensorIds.map((id) => bySensor.get(id) ?? null);
    },
  );
}
