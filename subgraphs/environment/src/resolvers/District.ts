/** Environment's view of a district. */
import {
  districtSharedResolvers,
  type DistrictRef,
} from '../../../../lib/subgraph-kit/districts.js';
import {
  timeRangeFilter,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import { isStale } from '../../../../lib/ingest/storeObservations.js';
import { airQualityIndexOfPresent } from '../airQualityIndex.js';
import { airQualityObservedSpec } from '../ingest/AirQualityObserved.js';
import { noiseLevelObservedSpec } from '../ingest/NoiseLevelObserved.js';
import type { EnvironmentContext } from '../context.js';
import type { WaterBalanceTotals } from '../loaders/waterBalanceByDistrict.js';
import { concentration, cubicMetres, decibels, kilowatts } from './units.js';
import {
  parseTrendArgs,
  trendHeader,
  type TrendArgs,
} from '../../../../lib/subgraph-kit/trendLoader.js';
import { balanceOf, waterVolumes } from '../analysis/readingRollups.js';

const mean = (all: (number | null | undefined)[]) => {
  const values = all.filter((v): v is number => v !== null && v !== undefined);
  return values.length === 0
    ? null
    : values.reduce((a, b) => a + b, 0) / values.length;
};

const newest = (dates: Date[]) =>
  dates.reduce<Date | null>(
    (max, d) => (max === null || d > max ? d : max),
    null,
  );

function present<T>(items: (T | null | Error)[]): T[] {
  return items.filter((x): x is T => x !== null && !(x instanceof Error));
}

/** The schema's `WaterBalance` of a district's totals. */
export function toWaterBalance(totals: WaterBalanceTotals) {
  const loss = Math.max(0, totals.inflow - totals.consumption);
  return {
    district: { code: totals.district },
    inflow: cubicMetres(totals.inflow),
    consumption: cubicMetres(totals.consumption),
    loss: cubicMetres(loss),
    lossRate:
      totals.inflow > 0
        ? Math.round((loss / totals.inflow) * 1000) / 1000
        : null,
    readingCount: totals.readingCount,
  };
}

export const District = {
  ...districtSharedResolvers,
  airQualityStations: (ref: DistrictRef, _: unknown, ctx: EnvironmentContext) =>
    ctx.loaders.airQualityStationsByDistrict.load(ref.code),
  waterMeters: (ref: DistrictRef, _: unknown, ctx: EnvironmentContext) =>
    ctx.loaders.waterMetersByDistrict.load(ref.code),
  renewableEnergyProjects: (
    ref: DistrictRef,
    _: unknown,
    ctx: EnvironmentContext,
  ) => ctx.loaders.renewableEnergyProjectsByDistrict.load(ref.code),
  async renewableCapacity(
    ref: DistrictRef,
    _: unknown,
    ctx: EnvironmentContext,
  ) {
    const projects = await ctx.loaders.renewableEnergyProjectsByDistrict.load(
      ref.code,
    );
    return kilowatts(
      projects
        .filter((p) => p.status === 'OPERATIONAL')
        .reduce((sum, p) => sum + p.capacityKw, 0),
    );
  },
  async airQuality(ref: DistrictRef, _: unknown, ctx: EnvironmentContext) {
    const stations = await ctx.loaders.airQualityStationsByDistrict.load(
      ref.code,
    );
    // Each station's current state, kept on ingest: no scan of the readings.
    const readings = present(stations.map((s) => s.latestAirQuality ?? null));
    const observedAt = newest(readings.map((r) => r.observedAt));
    const no2 = mean(readings.map((r) => r.no2));
    const pm10 = mean(readings.map((r) => r.pm10));
    const pm25 = mean(readings.map((r) => r.pm25));
    const o3 = mean(readings.map((r) => r.o3));
    return {
      stationCount: stations.length,
      observedAt,
      stale:
        observedAt === null
          ? null
          : isStale(observedAt, airQualityObservedSpec.staleAfterMs),
      no2: no2 === null ? null : concentration(no2),
      pm10: pm10 === null ? null : concentration(pm10),
      pm25: pm25 === null ? null : concentration(pm25),
      o3: o3 === null ? null : concentration(o3),
      index: airQualityIndexOfPresent({ no2, pm10, pm25, o3 }),
    };
  },
  async noise(ref: DistrictRef, _: unknown, ctx: EnvironmentContext) {
    const stations = await ctx.loaders.airQualityStationsByDistrict.load(
      ref.code,
    );
    // Each station's current state, kept on ingest: no scan of the readings.
    const readings = present(stations.map((s) => s.latestNoiseLevel ?? null));
    const levels = readings
      .map((r) => r.laeq)
      .filter((l): l is number => l !== null);
    const average = mean(levels);
    const observedAt = newest(readings.map((r) => r.observedAt));
    return {
      stationCount: stations.length,
      observedAt,
      stale:
        observedAt === null
          ? null
          : isStale(observedAt, noiseLevelObservedSpec.staleAfterMs),
      averageLAeq: average === null ? null : decibels(average),
      maxLAeq: levels.length === 0 ? null : decibels(Math.max(...levels)),
    };
  },
  async waterBalance(
    ref: DistrictRef,
    args: { range?: TimeRange | null },
    ctx: EnvironmentContext,
  ) {
    timeRangeFilter('observedAt', args.range); // validates before any read
    return toWaterBalance(
      await ctx.loaders.waterBalanceByDistrict.load({
        district: ref.code,
        range: args.range,
      }),
    );
  },
  async waterBalanceTrend(
    ref: DistrictRef,
    args: TrendArgs,
    ctx: EnvironmentContext,
  ) {
    const { range, resolution } = parseTrendArgs(args);
    const trend = await ctx.loaders.waterBalanceTrendByDistrict(
      ref.code,
      range,
      resolution,
    );
    return {
      ...trendHeader(trend),
      buckets: trend.buckets.map((bucket) => ({
        start: bucket.start,
        end: bucket.end,
        ...balanceOf(waterVolumes(bucket)),
      })),
    };
  },
  openLeakAlerts: (ref: DistrictRef, _: unknown, ctx: EnvironmentContext) =>
    ctx.loaders.openLeakAlertCountByDistrict.load(ref.code),
};
