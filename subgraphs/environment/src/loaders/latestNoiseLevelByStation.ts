/** Loader: the latest noise reading of each station. */
import DataLoader from 'dataloader';
import type {
  EnvironmentModels,
  NoiseLevelObservedDoc,
} from '../models/index.js';

/** the latest noise reading of each station (null if none), one aggregation per batch. */
export function latestNoiseLevelByStation(models: EnvironmentModels) {
  return new DataLoader<string, NoiseLevelObservedDoc | null>(async (keys) => {
    const rows = await models.NoiseLevelObserved.aggregate<{
      _id: string;
      reading: NoiseLevelObservedDoc;
    }>([
      { $match: { stationId: { $in: [...keys] } } },
      { $sort: { observedAt: -1 } },
      { $group: { _id: '$stationId', reading: { $first: '$$ROOT' } } },
    ]).exec();
    const byKey = new Map(rows.map((row) => [row._id, row.reading]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}
