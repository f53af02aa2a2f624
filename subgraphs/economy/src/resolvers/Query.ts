/** Economy's root queries. */
import {
  districtFilter,
  districtQueryResolvers,
} from '../../../../lib/subgraph-kit/districts.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import {
  pageSize,
  paginate,
  timeRangeFilter,
  type PageArgs,
  type TimeRange,
  paginateTimeSeries,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { EconomyContext } from '../context.js';
import type { InvestmentDoc, StartupDoc } from '../models/index.js';
import { economicSector, type NafSection } from '../naf.js';

type DistrictArgs = PageArgs & { district?: string | null };
type RangeArgs = { range?: TimeRange | null };

export const Query = {
  ...districtQueryResolvers,
  businesses: (
    _: unknown,
    args: DistrictArgs & { sector?: NafSection | null },
    ctx: EconomyContext,
  ) =>
    paginate(
      ctx.models.Business,
      {
        ...districtFilter(args.district),
        ...(args.sector ? { sector: args.sector } : {}),
      },
      args,
    ),
  business: (_: unknown, args: { id: string }, ctx: EconomyContext) =>
    ctx.loaders.businessById.load(args.id),
  businessByRegistryNumber(
    _: unknown,
    args: { registryNumber: string },
    ctx: EconomyContext,
  ) {
    if (!/^\d{14}$/.test(args.registryNumber))
      throw new BadUserInputError(
        'registryNumber must be a SIRET of 14 digits.',
        { argumentName: 'registryNumber' },
      );
    return ctx.models.Business.findOne({
      registryNumber: args.registryNumber,
    })
      .lean()
      .exec();
  },
  startups: (
    _: unknown,
    args: PageArgs & {
      stage?: StartupDoc['stage'] | null;
      sector?: NafSection | null;
    },
    ctx: EconomyContext,
  ) =>
    paginate(
      ctx.models.Startup,
      {
        ...(args.stage ? { stage: args.stage } : {}),
        ...(args.sector ? { sector: args.sector } : {}),
      },
      args,
    ),
  startup: (_: unknown, args: { id: string }, ctx: EconomyContext) =>
    ctx.loaders.startupById.load(args.id),
  innovationHubs: (
    _: unknown,
    args: { district?: string | null },
    ctx: EconomyContext,
  ) =>
    ctx.models.InnovationHub.find(districtFilter(args.district))
      .sort({ _id: 1 })
      .limit(100)
      .lean()
      .exec(),
  innovationHub: (_: unknown, args: { id: string }, ctx: EconomyContext) =>
    ctx.loaders.innovationHubById.load(args.id),
  investments: (
    _: unknown,
    args: PageArgs &
      RangeArgs & {
        startup?: string | null;
        round?: InvestmentDoc['round'] | null;
      },
    ctx: EconomyContext,
  ) =>
    paginateTimeSeries(
      ctx.models.Investment,
      {
        ...(args.startup ? { startupId: args.startup } : {}),
        ...(args.round ? { round: args.round } : {}),
      },
      args,
      'date',
    ),
  marketIndicators: (
    _: unknown,
    args: DistrictArgs & RangeArgs,
    ctx: EconomyContext,
  ) =>
    paginateTimeSeries(
      ctx.models.MarketIndicator,
      {
        ...districtFilter(args.district),
      },
      args,
      'periodStart',
    ),
  async sectorGrowth(
    _: unknown,
    args: RangeArgs & {
      district?: string | null;
      sector?: NafSection | null;
      first?: number | null;
    },
    ctx: EconomyContext,
  ) {
    const limit = pageSize(args.first);
    const rows = await ctx.models.MarketIndicator.aggregate<{
      _id: { district: string; sector: NafSection };
      openings: number;
      closures: number;
      netChange: number;
    }>([
      {
        $match: {
          ...districtFilter(args.district),
          ...timeRangeFilter('periodStart', args.range),
        },
      },
      { $unwind: '$sectorFlows' },
      ...(args.sector
        ? [{ $match: { 'sectorFlows.sector': args.sector } }]
        : []),
      {
        $group: {
          _id: { district: '$district', sector: '$sectorFlows.sector' },
          openings: { $sum: '$sectorFlows.openings' },
          closures: { $sum: '$sectorFlows.closures' },
        },
      },
      {
        $project: {
          openings: 1,
          closures: 1,
          netChange: { $subtract: ['$openings', '$closures'] },
        },
      },
      { $sort: { netChange: -1, '_id.district': 1, '_id.sector': 1 } },
      { $limit: limit },
    ]).exec();
    return rows.map((row) => ({
      district: { code: row._id.district },
      sector: economicSector(row._id.sector),
      openings: row.openings,
      closures: row.closures,
      netChange: row.netChange,
    }));
  },
};
