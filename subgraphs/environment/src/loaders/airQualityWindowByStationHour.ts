/** Loader: the readings an hourly air-quality index reads (analysis/stationIndex.ts), per station and hour. */
import DataLoader from 'dataloader';
import { INDEX_LOOKBACK_MS } from '../analysis/stationIndex.js';
import type {
  AirQualityObservedDoc,
  EnvironmentModels,
} from '../models/index.js';

/** A station and the end of one of its hours. */
export interface StationHourKey {
  readonly stationId: string;
  readonly hourEnd: Date;
}

/**
 * The station's readings of the 48 hours up to each hour's end (the hour's
 * index and its previous hour's), oldest first. One query per batch: an
 * `$or` of one indexed range per key, so a list of stations costs one
 * database command.
 */
export function airQualityWindowByStationHour(models: EnvironmentModels) {
  return new DataLoader<StationHourKey, AirQualityObservedDoc[], string>(
    async (keys) => {
      const found = await models.AirQualityObserved.find({
        $or: keys.map((key) => ({
          'device.id': key.stationId,
          observedAt: {
            $gt: new Date(key.hourEnd.getTime() - INDEX_LOOKBACK_MS),
            $lte: key.hourEnd,
          },
        })),
      })
        .sort({ observedAt: 1 })
        .lean()
        .exec();
      return keys.map((key) => {
        const end = key.hourEnd.getTime();
        return found.filter(
          (r) =>
            r.device.id === key.stationId &&
            r.observedAt.getTime() > end - INDEX_LOOKBACK_MS &&
            r.observedAt.getTime() <= end,
        );
      });
    },
    { cacheKeyFn: (key) => `${key.stationId}|${key.hourEnd.getTime()}` },
  );
}
