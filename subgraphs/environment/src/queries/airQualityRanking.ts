/** Environment's air-quality ranking aggregation over the readings. */
import type { EnvironmentModels } from '../models/index.js';

/** The city's local time zone, in which "rush hour" is meant. */
const LOCAL_TIME_ZONE = 'Europe/Paris';

/** One district row of {@link airQualityRanking}. */
export interface AirQualityRankingRow {
  /** The district code. */
  _id: string;
  average: number;
  max: number;
  count: number;
}

/** Per district, the average and maximum of `field` over the matching readings, highest average first. */
export function airQualityRanking(
  models: EnvironmentModels,
  options: {
    /** The readings' filter (a time range on `observedAt`). */
    match: Record<string, unknown>;
    /** The reading field to rank by, e.g. `no2`. */
    field: string;
    /** Only readings taken at these local hours; null for all. */
    localHours: readonly number[] | null;
  },
): Promise<AirQualityRankingRow[]> {
  const hours = options.localHours;
  const field = `$${options.field}`;
  return models.AirQualityObserved.aggregate<AirQualityRankingRow>([
    // Ingested readings may lack the pollutant: rank over those that have it.
    { $match: { ...options.match, [options.field]: { $ne: null } } },
    ...(hours === null
      ? []
      : [
          {
            $addFields: {
              localHour: {
                $hour: { date: '$observedAt', timezone: LOCAL_TIME_ZONE },
              },
            },
          },
          { $match: { localHour: { $in: hours } } },
        ]),
    {
      $group: {
        _id: '$device.district',
        average: { $avg: field },
        max: { $max: field },
        count: { $sum: 1 },
      },
    },
    { $sort: { average: -1, _id: 1 } },
  ]).exec();
}
