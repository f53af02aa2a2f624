/** Engagement's view of a district. */
import {
  districtSharedResolvers,
  findDistrict,
  LATEST_POPULATION_YEAR,
  type DistrictRef,
} from '../../../../lib/subgraph-kit/districts.js';
import {
  type PageArgs,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { EngagementContext } from '../context.js';
import type { DistrictCitizenReportsArgs } from '../__generated__/resolvers-types.js';
import { statusFilter } from './CitizenReport.js';

type RangeArgs = PageArgs & { range?: TimeRange | null };

export const District = {
  ...districtSharedResolvers,
  workshops: (ref: DistrictRef, args: RangeArgs, ctx: EngagementContext) =>
    ctx.loaders.workshopPagesByDistrict(ref.code, args),
  citizenReports: (
    ref: DistrictRef,
    args: Partial<DistrictCitizenReportsArgs>,
    ctx: EngagementContext,
  ) =>
    ctx.loaders.citizenReportPagesByDistrict(
      ref.code,
      args,
      statusFilter(args.status),
    ),
  // The DigitalInclusion object is the district itself; its fields load.
  digitalInclusion: (ref: DistrictRef) => ({ code: ref.code }),
  async participation(ref: DistrictRef, _: unknown, ctx: EngagementContext) {
    const counts = await ctx.loaders.participationByDistrict.load(ref.code);
    const population =
      findDistrict(ref.code)?.population[LATEST_POPULATION_YEAR] ?? 0;
    return {
      ...counts,
      enrolmentsPer1000:
        population === 0
          ? 0
          : Math.round((counts.residentEnrolments / population) * 1000 * 100) /
            100,
    };
  },
};
