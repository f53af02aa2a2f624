/** AirQualityStation and its readings (FIWARE AirQualityObserved, NoiseLevelObserved). */
import type { TimeSeriesPageArgs } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import { loadExisting } from '../../../../lib/subgraph-kit/loaders.js';
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import { staleResolver } from '../../../../lib/subgraph-kit/provenance.js';
import { airQualityIndexOfPresent } from '../airQualityIndex.js';
import { airQualityObservedSpec } from '../ingest/AirQualityObserved.js';
import { noiseLevelObservedSpec } from '../ingest/NoiseLevelObserved.js';
import type { EnvironmentContext } from '../context.js';
import type {
  AirQualityObservedDoc,
  AirQualityStationDoc,
  NoiseLevelObservedDoc,
} from '../models/index.js';
import { stationAirQualityIndex } from './AirQualityAlert.js';
import { concentration, decibels } from './units.js';
import {
  parseTrendArgs,
  trendHeader,
  type TrendArgs,
} from '../../../../lib/subgraph-kit/trendLoader.js';
import { airQualityIndexTrendBucket } from '../analysis/readingRollups.js';

type SeriesArgs = TimeSeriesPageArgs;

const orNull = (value: number | null | undefined) =>
  value === null || value === undefined ? null : concentration(value);

export const AirQualityStation = {
  __resolveReference: (ref: { id: string }, ctx: EnvironmentContext) =>
    ctx.loaders.airQualityStationById.load(ref.id),
  id: (doc: AirQualityStationDoc) => doc._id,
  ngsiId: (doc: AirQualityStationDoc) => ngsiIdOf('Device', doc._id),
  district: (doc: AirQualityStationDoc) => ({ code: doc.district }),
  readings: (
    doc: AirQualityStationDoc,
    args: SeriesArgs,
    ctx: EnvironmentContext,
  ) => ctx.loaders.airQualityPagesByStation(doc._id, args),
  // The current state kept on ingest, not a scan of the readings.
  latestReading: (doc: AirQualityStationDoc) => doc.latestAirQuality ?? null,
  airQualityIndex: (
    doc: AirQualityStationDoc,
    args: { hour?: Date | null },
    ctx: EnvironmentContext,
  ) => stationAirQualityIndex(doc, args.hour, ctx),
  async airQualityIndexTrend(
    doc: AirQualityStationDoc,
    args: TrendArgs,
    ctx: EnvironmentContext,
  ) {
    const { range, resolution } = parseTrendArgs(args);
    const trend = await ctx.loaders.airQualityTrendByStation(
      doc._id,
      range,
      resolution,
    );
    return {
      ...trendHeader(trend),
      buckets: trend.buckets.map(airQualityIndexTrendBucket),
    };
  },
  noiseLevels: (
    doc: AirQualityStationDoc,
    args: SeriesArgs,
    ctx: EnvironmentContext,
  ) => ctx.loaders.noiseLevelPagesByStation(doc._id, args),
  latestNoiseLevel: (doc: AirQualityStationDoc) => doc.latestNoiseLevel ?? null,
};

export const AirQualityObserved = {
  id: (doc: AirQualityObservedDoc) => doc._id,
  station: (doc: AirQualityObservedDoc, _: unknown, ctx: EnvironmentContext) =>
    loadExisting(
      ctx.loaders.airQualityStationById,
      doc.device.id,
      'air-quality station',
    ),
  no2: (doc: AirQualityObservedDoc) => orNull(doc.no2),
  pm10: (doc: AirQualityObservedDoc) => orNull(doc.pm10),
  pm25: (doc: AirQualityObservedDoc) => orNull(doc.pm25),
  o3: (doc: AirQualityObservedDoc) => orNull(doc.o3),
  so2: (doc: AirQualityObservedDoc) => orNull(doc.so2),
  co: (doc: AirQualityObservedDoc) => orNull(doc.co),
  no: (doc: AirQualityObservedDoc) => orNull(doc.no),
  nox: (doc: AirQualityObservedDoc) => orNull(doc.nox),
  index: (doc: AirQualityObservedDoc) => airQualityIndexOfPresent(doc),
  stale: staleResolver(airQualityObservedSpec.staleAfterMs),
};

export const NoiseLevelObserved = {
  id: (doc: NoiseLevelObservedDoc) => doc._id,
  station: (doc: NoiseLevelObservedDoc, _: unknown, ctx: EnvironmentContext) =>
    loadExisting(
      ctx.loaders.airQualityStationById,
      doc.device.id,
      'air-quality station',
    ),
  LAeq: (doc: NoiseLevelObservedDoc) =>
    doc.laeq === null ? null : decibels(doc.laeq),
  LAmax: (doc: NoiseLevelObservedDoc) =>
    doc.lamax === null ? null : decibels(doc.lamax),
  stale: staleResolver(noiseLevelObservedSpec.staleAfterMs),
};
