/** Loader: the latest air-quality reading of each station. */
import DataLoader from 'dataloader';
import type {
  EnvironmentModels,
  AirQualityObservedDoc,
} from '../models/index.js';

/** the latest air-quality reading of each station (null if none), one aggregation per batch. */
export function latestAirQualityByStation(models: EnvironmentModels) {
  return new DataLoader<string, AirQualityObservedDoc | null>(async (keys) => {
    const rows = await models.AirQualityObserved.aggregate<{
      _id: string;
      reading: AirQualityObservedDoc;
    }>([
      { $match: { stationId: { $in: [...keys] } } },
      { $sort: { observedAt: -1 } },
      { $group: { _id: '$stationId', reading: { $first: '$$ROOT' } } },
    ]).exec();
    const byKey = new Map(rows.map((row) => [row._id, row.reading]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}
