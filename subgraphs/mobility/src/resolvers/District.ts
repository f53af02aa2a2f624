/** Mobility's view of a district. */
import {
  districtSharedResolvers,
  type DistrictRef,
} from '../../../../lib/subgraph-kit/districts.js';
import { type PageArgs } from '../../../../lib/subgraph-kit/pagination.js';
import { isStale } from '../../../../lib/ingest/storeObservations.js';
import type { MobilityContext } from '../context.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import {
  CONGESTION_WINDOW_MINUTES,
  congestionOverWindow,
  type CongestionWindowMinutes,
} from '../analysis/congestionWindow.js';
import { trafficFlowObservedSpec } from '../ingest/TrafficFlowObserved.js';
import { speed } from './units.js';
import {
  parseTrendArgs,
  trendHeader,
  type TrendArgs,
} from '../../../../lib/subgraph-kit/trendLoader.js';
import { congestionTrendBucket } from '../analysis/congestionTrend.js';

export const District = {
  ...districtSharedResolvers,
  trafficSensors: (ref: DistrictRef, args: PageArgs, ctx: MobilityContext) =>
    ctx.loaders.trafficSensorPagesByDistrict(ref.code, args),
  transitStops: (ref: DistrictRef, _: unknown, ctx: MobilityContext) =>
    ctx.loaders.transitStopsByDistrict.load(ref.code),
  bikeStations: (ref: DistrictRef, _: unknown, ctx: MobilityContext) =>
    ctx.loaders.bikeStationsByDistrict.load(ref.code),
  trafficLights: (ref: DistrictRef, _: unknown, ctx: MobilityContext) =>
    ctx.loaders.trafficLightsByDistrict.load(ref.code),
  async congestionWindow(
    ref: DistrictRef,
    args: { minutes: number; at?: Date | null },
    ctx: MobilityContext,
  ) {
    if (
      !(CONGESTION_WINDOW_MINUTES as readonly number[]).includes(args.minutes)
    )
      throw new BadUserInputError(
        `congestionWindow(minutes:) is ${CONGESTION_WINDOW_MINUTES.join(' or ')}, got ${args.minutes}.`,
        { argumentName: 'minutes' },
      );
    const to = args.at ?? (await ctx.queries.newestTrafficReadingAt(ref.code));
    if (!to) return null;
    const minutes = args.minutes as CongestionWindowMinutes;
    const from = new Date(to.getTime() - minutes * 60_000);
    const readings = await ctx.queries.trafficReadingsInWindow(
      ref.code,
      from,
      to,
    );
    return congestionOverWindow(readings, minutes, to);
  },
  async congestionTrend(
    ref: DistrictRef,
    args: TrendArgs,
    ctx: MobilityContext,
  ) {
    const { range, resolution } = parseTrendArgs(args);
    const trend = await ctx.loaders.congestionTrendByDistrict(
      ref.code,
      range,
      resolution,
    );
    return {
      ...trendHeader(trend),
      buckets: trend.buckets.map(congestionTrendBucket),
    };
  },
  async congestion(ref: DistrictRef, _: unknown, ctx: MobilityContext) {
    const sensors = await ctx.loaders.trafficSensorsByDistrict.load(ref.code);
    // Each sensor's current state, kept on ingest: no scan of the readings.
    const readings = sensors
      .map((s) => s.latest)
      .filter((r): r is NonNullable<typeof r> => r !== null && r !== undefined);
    const mean = (all: (number | null)[]) => {
      const values = all.filter((v): v is number => v !== null);
      return values.length === 0
        ? null
        : values.reduce((a, b) => a + b, 0) / values.length;
    };
    const averageSpeed = mean(readings.map((r) => r.averageSpeed));
    const newest = readings.reduce<Date | null>(
      (max, r) => (max === null || r.observedAt > max ? r.observedAt : max),
      null,
    );
    return {
      averageOccupancy: mean(readings.map((r) => r.occupancy)),
      averageSpeed: averageSpeed === null ? null : speed(averageSpeed),
      congestedSensors: readings.filter((r) => r.congested).length,
      sensorCount: sensors.length,
      observedAt: newest,
      stale:
        newest === null
          ? null
          : isStale(newest, trafficFlowObservedSpec.staleAfterMs),
    };
  },
};
