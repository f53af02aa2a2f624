/** Environment's root queries. */
import {
  DISTRICTS,
  districtFilter,
  districtQueryResolvers,
} from '../../../../lib/subgraph-kit/districts.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import {
  paginate,
  timeRangeFilter,
  type PageArgs,
  type TimeRange,
  paginateTimeSeries,
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
import { toWaterBalance } from './District.js';
import { concentration } from './units.js';
import { leakAlertFilter } from './WaterLeakAlert.js';

type DistrictArgs = PageArgs & { district?: string | null };
type SeriesArgs = DistrictArgs & { range?: TimeRange | null };

/** The city's local time zone, in which "rush hour" is meant. */
const LOCAL_TIME_ZONE = 'Europe/Paris';

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
  ...districtQueryResolvers,
  airQualityStations: (
    _: unknown,
    args: DistrictArgs,
    ctx: EnvironmentContext,
  ) =>
    paginate(ctx.models.AirQualityStation, districtFilter(args.district), args),
  airQualityStation: (
    _: unknown,
    args: { id: string },
    ctx: EnvironmentContext,
  ) => ctx.loaders.airQualityStationById.load(args.id),
  airQualityReadings: (_: unknown, args: SeriesArgs, ctx: EnvironmentContext) =>
    paginateTimeSeries(
      ctx.models.AirQualityObserved,
      {
        ...districtFilter(args.district),
      },
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
    const field = `$${POLLUTANT_FIELD[args.pollutant]}`;
    const rows = await ctx.models.AirQualityObserved.aggregate<{
      _id: string;
      average: number;
      max: number;
      count: number;
    }>([
      { $match: range },
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
          _id: '$district',
          average: { $avg: field },
          max: { $max: field },
          count: { $sum: 1 },
        },
      },
      { $sort: { average: -1, _id: 1 } },
    ]).exec();
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
    paginateTimeSeries(
      ctx.models.NoiseLevelObserved,
      {
        ...districtFilter(args.district),
      },
      args,
    ),
  waterMeters: (_: unknown, args: DistrictArgs, ctx: EnvironmentContext) =>
    paginate(ctx.models.WaterMeter, districtFilter(args.district), args),
  waterMeter: (_: unknown, args: { id: string }, ctx: EnvironmentContext) =>
    ctx.loaders.waterMeterById.load(args.id),
  waterConsumption: (_: unknown, args: SeriesArgs, ctx: EnvironmentContext) =>
    paginateTimeSeries(
      ctx.models.WaterConsumptionObserved,
      {
        ...districtFilter(args.district),
      },
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
    paginate(
      ctx.models.WaterLeakAlert,
      { ...districtFilter(args.district), ...leakAlertFilter(args) },
      args,
      { sortField: 'detectedAt', direction: -1 },
    ),
  waterLeakAlert: (_: unknown, args: { id: string }, ctx: EnvironmentContext) =>
    ctx.models.WaterLeakAlert.findById(args.id).lean().exec(),
  renewableEnergyProjects: (
    _: unknown,
    args: DistrictArgs & {
      type?: RenewableEnergyProjectDoc['type'] | null;
      status?: RenewableEnergyProjectDoc['status'] | null;
    },
    ctx: EnvironmentContext,
  ) =>
    paginate(
      ctx.models.RenewableEnergyProject,
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
