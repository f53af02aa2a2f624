/** Digital-inclusion indicators, a district's series, and the digital-divide ranking. */
import {
  findDistrict,
  LATEST_POPULATION_YEAR,
  type DistrictRef,
} from '../../../../lib/subgraph-kit/districts.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import {
  type PageArgs,
  type TimeRange,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { EngagementContext } from '../context.js';
import type { DigitalInclusionIndicatorDoc } from '../models/index.js';
import { percent } from './units.js';

export const DigitalInclusionIndicator = {
  id: (doc: DigitalInclusionIndicatorDoc) => doc._id,
  district: (doc: DigitalInclusionIndicatorDoc) => ({ code: doc.district }),
  broadbandCoverage: (doc: DigitalInclusionIndicatorDoc) =>
    percent(doc.broadbandCoverage),
  residentsWithoutInternet: (doc: DigitalInclusionIndicatorDoc) =>
    percent(doc.residentsWithoutInternet),
};

export const DigitalInclusion = {
  latest: (ref: DistrictRef, _: unknown, ctx: EngagementContext) =>
    ctx.loaders.latestIndicatorByDistrict.load(ref.code),
  series: (
    ref: DistrictRef,
    args: PageArgs & { range?: TimeRange | null },
    ctx: EngagementContext,
  ) => ctx.loaders.indicatorPagesByDistrict(ref.code, args),
};

/** One row of the ranking before GraphQL. */
export interface DigitalDivideRankValue {
  rank: number;
  district: DistrictRef;
  divideScore: number;
  helpSessionsPer10000: number;
  indicator: DigitalInclusionIndicatorDoc;
}

/**
 * Ranks one month's indicators, most left behind first. Score (0 to 100):
 * 60% the share of residents without internet scaled to the worst district,
 * 40% the share of premises without fibre. Pure, for tests.
 */
export function rankDigitalDivide(
  indicators: readonly DigitalInclusionIndicatorDoc[],
): DigitalDivideRankValue[] {
  const worstOffline = Math.max(
    0,
    ...indicators.map((i) => i.residentsWithoutInternet),
  );
  return indicators
    .map((indicator) => {
      const offline =
        worstOffline === 0
          ? 0
          : (indicator.residentsWithoutInternet / worstOffline) * 100;
      const score = 0.6 * offline + 0.4 * (100 - indicator.broadbandCoverage);
      const population =
        findDistrict(indicator.district)?.population[LATEST_POPULATION_YEAR] ??
        0;
      return {
        district: { code: indicator.district },
        divideScore: Math.round(score * 10) / 10,
        helpSessionsPer10000:
          population === 0
            ? 0
            : Math.round(
                (indicator.digitalHelpSessions / population) * 10_000 * 100,
              ) / 100,
        indicator,
      };
    })
    .sort(
      (a, b) =>
        b.divideScore - a.divideScore ||
        (a.district.code < b.district.code ? -1 : 1),
    )
    .map((row, i) => ({ rank: i + 1, ...row }));
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `Query.digitalDivideRanking`: one month (default the latest), 16 rows at most. */
export async function digitalDivideRanking(
  _: unknown,
  args: { period?: string | null },
  ctx: EngagementContext,
): Promise<DigitalDivideRankValue[]> {
  let period = args.period ?? null;
  if (period !== null && !PERIOD.test(period)) {
    throw new BadUserInputError(
      `"period" must be a month as YYYY-MM, got ${JSON.stringify(period)}.`,
      { argumentName: 'period' },
    );
  }
  if (period === null) {
    const latest = await ctx.queries.latestDigitalInclusionIndicator();
    if (!latest) return [];
    period = latest.period;
  }
  const indicators =
    await ctx.queries.digitalInclusionIndicatorsOfPeriod(period);
  return rankDigitalDivide(indicators);
}
