/** Environment's root queries. */
import { dataQualityQuery } from '../../../../lib/subgraph-kit/dataQualityResolvers.js';
import { quarantineQuery } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import {
  DISTRICTS,
  districtFilter,
} from '../../../../lib/subgraph-kit/districts.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import {
  timeRangeFilter,
  type PageArgs,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import {
  bandLevel,
  bandOf,
  POLLUTANT_FIELD,
  type Pollutant,
} from '../airQualityIndex.js';
import type { EnvironmentContext } from '../context.js';
import type {
  RenewableEnergyProjectDoc,
  WaterLeakAlertDoc,
} from '../models/index.js';
import { airQualityAlertById } from './AirQualityAlert.js';
import { toWaterBalance } from './District.js';
import { concentration } from './units.js';
import { leakAlertFilter } from './WaterLeakAlert.js';

type DistrictArgs = PageArgs & { district?: string | null };
type SeriesArgs = DistrictArgs & { range?: TimeRange | null };

/** Checks `localHours`: 1 to 24 distinct integers from 0 to 23. */
function validateLocalHours(hours: readonly number[]): void {
  const problems: string[] = [];
  if (hours.length === 0 || hours.length > 24)
    problems.push('give 1 to 24 hours');
  const bad = hours.filter((h) => !Number.isInteger(h) || h < 0 || h > 23);
  if (bad.length > 0)
    problems.push(`hours must be integers from 0 to 23, got ${bad.join(', ')}`);
  if (new Set(hours).size !== hours.length)
    problems.push('hours must not repeat');
  if (problems.length > 0)
    throw new BadUserInputError(`Invalid localHours: ${problems.join('; ')}.`, {
      argumentName: 'localHours',
      problems,
    });
}

export const Query = {
  environmentDataQuality: (
    _: unknown,
    args: Parameters<typeof dataQualityQuery>[0],
    ctx: EnvironmentContext,
  ) => dataQualityQuery(args, ctx.queries),
  airQualityAlert: (
    _: unknown,
    args: { id: string },
    ctx: EnvironmentContext,
  ) => airQualityAlertById(args.id, ctx),
  environmentQuarantine: (
    _: unknown,
    args: Parameters<typeof quarantineQuery>[0],
    ctx: EnvironmentContext,
  ) => quarantineQuery(args, ctx.queries),
  airQualityStations: (
    _: unknown,
    args: DistrictArgs,
    ctx: EnvironmentContext,
  ) => ctx.queries.airQualityStations(districtFilter(args.district), args),
  airQualityStation: (
    _: unknown,
    args: { id: string },
    ctx: EnvironmentContext,
  ) => ctx.loaders.airQualityStationById.load(args.id),
  airQualityReadings: (_: unknown, args: SeriesArgs, ctx: EnvironmentContext) =>
    ctx.queries.airQualityReadings(
      districtFilter(args.district, 'device.district'),
      args,
    ),
  async airQualityRanking(
    _: unknown,
    args: {
      pollutant: Pollutant;
      range?: TimeRange | null;
      localHours?: number[] | null;
    },
    ctx: EnvironmentContext,
  ) {
    const range = timeRangeFilter('observedAt', args.range);
    const hours = args.localHours ?? null;
    if (hours !== null) validateLocalHours(hours);
    const rows = await ctx.queries.airQualityRanking({
      match: range,
      field: POLLUTANT_FIELD[args.pollutant],
      localHours: hours,
    });
    return rows.map((row, i) => ({
      rank: i + 1,
      district: { code: row._id },
      pollutant: args.pollutant,
      average: concentration(row.average),
      max: concentration(row.max),
      band: bandOf(bandLevel(args.pollutant, row.average)),
      sampleCount: row.count,
    }));
  },
  noiseLevels: (_: unknown, args: SeriesArgs, ctx: EnvironmentContext) =>
    ctx.queries.noiseLevels(
      districtFilter(args.district, 'device.district'),
      args,
    ),
  waterMeters: (_: unknown, args: DistrictArgs, ctx: EnvironmentContext) =>
    ctx.queries.waterMeters(districtFilter(args.district), args),
  waterMeter: (_: unknown, args: { id: string }, ctx: EnvironmentContext) =>
    ctx.loaders.waterMeterById.load(args.id),
  waterConsumption: (_: unknown, args: SeriesArgs, ctx: EnvironmentContext) =>
    ctx.queries.waterConsumption(
      districtFilter(args.district, 'device.district'),
      args,
    ),
  async waterLossRanking(
    _: unknown,
    args: { range?: TimeRange | null },
    ctx: EnvironmentContext,
  ) {
    timeRangeFilter('observedAt', args.range); // validates before any read
    const totals = await ctx.loaders.waterBalanceByDistrict.loadMany(
      DISTRICTS.map((d) => ({ district: d.code, range: args.range })),
    );
    return totals
      .map((t) => {
        if (t instanceof Error) throw t;
        return toWaterBalance(t);
      })
      .sort(
        (a, b) =>
          (b.lossRate ?? -1) - (a.lossRate ?? -1) ||
          a.district.code.localeCompare(b.district.code),
      );
  },
  waterLeakAlerts: (
    _: unknown,
    args: DistrictArgs & { status?: WaterLeakAlertDoc['status'] | null },
    ctx: EnvironmentContext,
  ) =>
    ctx.queries.waterLeakAlerts(
      { ...districtFilter(args.district), ...leakAlertFilter(args) },
      args,
    ),
  waterLeakAlert: (_: unknown, args: { id: string }, ctx: EnvironmentContext) =>
    ctx.queries.waterLeakAlert(args.id),
  renewableEnergyProjects: (
    _: unknown,
    args: DistrictArgs & {
      type?: RenewableEnergyProjectDoc['type'] | null;
      status?: RenewableEnergyProjectDoc['status'] | null;
    },
    ctx: EnvironmentContext,
  ) =>
    ctx.queries.renewableEnergyProjects(
      {
        ...districtFilter(args.district),
        ...(args.type ? { type: args.type } : {}),
        ...(args.status ? { status: args.status } : {}),
      },
      args,
    ),
  renewableEnergyProject: (
    _: unknown,
    args: { id: string },
    ctx: EnvironmentContext,
  ) => ctx.loaders.renewableEnergyProjectById.load(args.id),
};
