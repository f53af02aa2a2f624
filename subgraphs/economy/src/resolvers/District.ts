/** Economy's view of a district. */
import {
  districtSharedResolvers,
  type DistrictRef,
} from '../../../../lib/subgraph-kit/districts.js';
import {
  type PageArgs,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { EconomyContext } from '../context.js';
import { economicSector, type NafSection } from '../naf.js';

/** The open businesses a district's sector breakdown counts, all sectors together. */
function openBusinesses(
  rows: ReadonlyArray<{ businessCount: number }>,
): number {
  return rows.reduce((sum, row) => sum + row.businessCount, 0);
}

export const District = {
  ...districtSharedResolvers,
  businesses: (
    ref: DistrictRef,
    args: PageArgs & { sector?: NafSection | null },
    ctx: EconomyContext,
  ) =>
    ctx.loaders.businessPagesByDistrict(
      ref.code,
      args,
      args.sector ? { sector: args.sector } : {},
    ),
  // The sum of the sector breakdown: the same open businesses, so one
  // aggregation answers both fields (a query asks for them together).
  async businessCount(ref: DistrictRef, _: unknown, ctx: EconomyContext) {
    const rows = await ctx.loaders.sectorBreakdownByDistrict.load(ref.code);
    return openBusinesses(rows);
  },
  async sectorBreakdown(ref: DistrictRef, _: unknown, ctx: EconomyContext) {
    const rows = await ctx.loaders.sectorBreakdownByDistrict.load(ref.code);
    const total = openBusinesses(rows);
    return rows.map((row) => ({
      sector: economicSector(row.sector),
      businessCount: row.businessCount,
      share:
        total === 0 ? 0 : Math.round((row.businessCount / total) * 1000) / 1000,
    }));
  },
  marketIndicators: (
    ref: DistrictRef,
    args: PageArgs & { range?: TimeRange | null },
    ctx: EconomyContext,
  ) => ctx.loaders.marketIndicatorPagesByDistrict(ref.code, args),
  innovationHubs: (ref: DistrictRef, _: unknown, ctx: EconomyContext) =>
    ctx.loaders.innovationHubsByDistrict.load(ref.code),
};
