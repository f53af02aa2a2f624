/** Loader: the latest reading of each water meter. */
import DataLoader from 'dataloader';
import type {
  EnvironmentModels,
  WaterConsumptionObservedDoc,
} from '../models/index.js';

/** the latest reading of each water meter (null if none), one aggregation per batch. */
export function latestWaterReadingByMeter(models: EnvironmentModels) {
  return new DataLoader<string, WaterConsumptionObservedDoc | null>(
    async (keys) => {
      const rows = await models.WaterConsumptionObserved.aggregate<{
        _id: string;
        reading: WaterConsumptionObservedDoc;
      }>([
        { $match: { meterId: { $in: [...keys] } } },
        { $sort: { observedAt: -1 } },
        { $group: { _id: '$meterId', reading: { $first: '$$ROOT' } } },
      ]).exec();
      const byKey = new Map(rows.map((row) => [row._id, row.reading]));
      return keys.map((key) => byKey.get(key) ?? null);
    },
  );
}
