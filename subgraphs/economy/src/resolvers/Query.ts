/** Economy's root queries. */
import { dataQualityQuery } from '../../../../lib/subgraph-kit/dataQualityResolvers.js';
import { districtFilter } from '../../../../lib/subgraph-kit/districts.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import {
  pageSize,
  type PageArgs,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { EconomyContext } from '../context.js';
import type { InvestmentDoc, StartupDoc } from '../models/index.js';
import { economicSector, type NafSection } from '../naf.js';

type DistrictArgs = PageArgs & { district?: string | null };
type RangeArgs = { range?: TimeRange | null };

export const Query = {
  economyDataQuality: (
    _: unknown,
    args: Parameters<typeof dataQualityQuery>[0],
    ctx: EconomyContext,
  ) => dataQualityQuery(args, ctx.queries),
  businesses: (
    _: unknown,
    args: DistrictArgs & { sector?: NafSection | null },
    ctx: EconomyContext,
  ) =>
    ctx.queries.businesses(
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
    return ctx.queries.businessByRegistryNumber(args.registryNumber);
  },
  startups: (
    _: unknown,
    args: PageArgs & {
      stage?: StartupDoc['stage'] | null;
      sector?: NafSection | null;
    },
    ctx: EconomyContext,
  ) =>
    ctx.queries.startups(
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
  ) => ctx.queries.innovationHubs(districtFilter(args.district)),
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
    ctx.queries.investments(
      {
        ...(args.startup ? { startupId: args.startup } : {}),
        ...(args.round ? { round: args.round } : {}),
      },
      args,
    ),
  marketIndicators: (
    _: unknown,
    args: DistrictArgs & RangeArgs,
    ctx: EconomyContext,
  ) =>
    ctx.queries.marketIndicators(
      {
        ...districtFilter(args.district),
      },
      args,
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
    const rows = await ctx.queries.sectorGrowth({
      district: args.district,
      sector: args.sector,
      range: args.range,
      limit: pageSize(args.first),
    });
    return rows.map((row) => ({
      district: { code: row._id.district },
      sector: economicSector(row._id.sector),
      openings: row.openings,
      closures: row.closures,
      netChange: row.netChange,
    }));
  },
};
