/**
 * Environment's query module: every read and write of its resolvers that is
 * not a per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md).
 */
import type { QueryFilter } from 'mongoose';
import {
  paginate,
  paginateTimeSeries,
  type PageArgs,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import type {
  AirQualityObservedDoc,
  AirQualityStationDoc,
  EnvironmentModels,
  NoiseLevelObservedDoc,
  RenewableEnergyProjectDoc,
  WaterConsumptionObservedDoc,
  WaterLeakAlertDoc,
  WaterMeterDoc,
} from '../models/index.js';
import { airQualityRanking } from './airQualityRanking.js';

type SeriesArgs = PageArgs & { range?: TimeRange | null };

/** Binds environment's queries to its models. */
export function createQueries(models: EnvironmentModels) {
  return {
    /** A page of air-quality stations, by `_id`. */
    airQualityStations: (
      filter: QueryFilter<AirQualityStationDoc>,
      args: PageArgs,
    ) => paginate(models.AirQualityStation, filter, args),
    /** A page of air-quality readings, newest first, within the range. */
    airQualityReadings: (
      filter: QueryFilter<AirQualityObservedDoc>,
      args: SeriesArgs,
    ) => paginateTimeSeries(models.AirQualityObserved, filter, args),
    /** Districts ranked by their average of one pollutant. */
    airQualityRanking: (options: Parameters<typeof airQualityRanking>[1]) =>
      airQualityRanking(models, options),
    /** A page of noise levels, newest first, within the range. */
    noiseLevels: (
      filter: QueryFilter<NoiseLevelObservedDoc>,
      args: SeriesArgs,
    ) => paginateTimeSeries(models.NoiseLevelObserved, filter, args),
    /** A page of water meters, by `_id`. */
    waterMeters: (filter: QueryFilter<WaterMeterDoc>, args: PageArgs) =>
      paginate(models.WaterMeter, filter, args),
    /** A page of water consumption readings, newest first, within the range. */
    waterConsumption: (
      filter: QueryFilter<WaterConsumptionObservedDoc>,
      args: SeriesArgs,
    ) => paginateTimeSeries(models.WaterConsumptionObserved, filter, args),
    /** A page of leak alerts, most recently detected first. */
    waterLeakAlerts: (filter: QueryFilter<WaterLeakAlertDoc>, args: PageArgs) =>
      paginate(models.WaterLeakAlert, filter, args, {
        sortField: 'detectedAt',
        direction: -1,
      }),
    /** The leak alert with this id, or null. */
    waterLeakAlert: (id: string) =>
      models.WaterLeakAlert.findById(id).lean().exec(),
    /**
     * Acknowledges an alert if it is still OPEN; null when it is not (of two
     * concurrent acknowledgements one wins, the first is never overwritten).
     */
    acknowledgeOpenLeakAlert: (
      id: string,
      acknowledgement: { acknowledgedBy: string | null; note: string },
    ) =>
      models.WaterLeakAlert.findOneAndUpdate(
        { _id: id, status: 'OPEN' },
        {
          $set: {
            status: 'ACKNOWLEDGED',
            acknowledgedAt: new Date(),
            acknowledgedBy: acknowledgement.acknowledgedBy,
            note: acknowledgement.note,
          },
        },
        { returnDocument: 'after', runValidators: true },
      )
        .lean()
        .exec(),
    /** A page of renewable energy projects, by `_id`. */
    renewableEnergyProjects: (
      filter: QueryFilter<RenewableEnergyProjectDoc>,
      args: PageArgs,
    ) => paginate(models.RenewableEnergyProject, filter, args),
  };
}

/** Environment's queries. */
export type EnvironmentQueries = ReturnType<typeof createQueries>;
