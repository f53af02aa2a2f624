/**
 * What citizens talk about, per period, district and service type
 * (`Query.socialTopics`, docs/ingestion.md "Social media"): one aggregation
 * of the posts by their stored period, and the citizen reports of the same
 * service type and district filed in the same period beside each row.
 */
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import type { TimeRange } from '../../../../lib/subgraph-kit/pagination.js';
import type { CitizenReportDoc, EngagementModels } from '../models/index.js';
import {
  PERIOD_FIELD,
  periodStart,
  type SocialPeriod,
} from '../social/periods.js';

/** One row of `socialTopics`. */
export interface SocialTopicRow {
  readonly period: SocialPeriod;
  readonly periodStart: Date;
  readonly district: string | null;
  readonly serviceCode: string | null;
  readonly posts: number;
  readonly citizenReportCount: number;
  /** The newest reports of the row (at most {@link REPORTS_PER_ROW}). */
  readonly citizenReports: readonly CitizenReportDoc[];
}

/** Arguments of `Query.socialTopics`. */
export interface SocialTopicsArgs {
  readonly range: TimeRange;
  readonly period?: SocialPeriod | null;
  readonly district?: string | null;
  readonly serviceCode?: string | null;
}

/** Reports listed per row. */
export const REPORTS_PER_ROW = 5;

const DAY = 24 * 3_600_000;
/** The longest range per period: a week of hours, a quarter of days or weeks. */
const MAX_RANGE_MS: Readonly<Record<SocialPeriod, number>> = {
  HOUR: 7 * DAY,
  DAY: 93 * DAY,
  WEEK: 93 * DAY,
};

/** The rows of `socialTopics`, newest period first, then by district and service code. */
export async function socialTopics(
  models: EngagementModels,
  args: SocialTopicsArgs,
): Promise<SocialTopicRow[]> {
  const period = args.period ?? 'DAY';
  const { from, to } = args.range;
  if (!from || !to || from.getTime() >= to.getTime())
    throw new BadUserInputError(
      'socialTopics needs a range with "from" before "to".',
      { argumentName: 'range' },
    );
  if (to.getTime() - from.getTime() > MAX_RANGE_MS[period])
    throw new BadUserInputError(
      `A range of ${period === 'HOUR' ? '7' : '93'} days at most with period ${period}.`,
      { argumentName: 'range' },
    );
  const district = args.district ?? null;
  const serviceCode = args.serviceCode ?? null;
  const field = PERIOD_FIELD[period];
  const groups = await models.SocialPost.aggregate<{
    _id: { p: Date; d: string | null; t: string | null };
    posts: number;
  }>([
    {
      $match: {
        postedAt: { $gte: from, $lt: to },
        ...(district === null ? {} : { district }),
        ...(serviceCode === null ? {} : { topics: serviceCode }),
      },
    },
    { $unwind: { path: '$topics', preserveNullAndEmptyArrays: true } },
    ...(serviceCode === null ? [] : [{ $match: { topics: serviceCode } }]),
    {
      $group: {
        _id: { p: `$${field}`, d: '$district', t: '$topics' },
        posts: { $sum: 1 },
      },
    },
  ]).exec();

  // The reports of the same service types and districts over the range,
  // newest first, bucketed like the posts.
  const codes = [
    ...new Set(groups.map((g) => g._id.t).filter((t): t is string => !!t)),
  ];
  const districts = [
    ...new Set(groups.map((g) => g._id.d).filter((d): d is string => !!d)),
  ];
  const reports =
    codes.length === 0 || districts.length === 0
      ? []
      : await models.CitizenReport.find({
          requestedDatetime: { $gte: from, $lt: to },
          serviceCode: { $in: codes },
          district: { $in: districts },
        })
          .sort({ requestedDatetime: -1 })
          .limit(10_000)
          .lean()
          .exec();
  const key = (p: Date, d: string | null, t: string | null) =>
    `${p.toISOString()}|${d ?? ''}|${t ?? ''}`;
  const byRow = new Map<string, CitizenReportDoc[]>();
  for (const report of reports) {
    const k = key(
      periodStart(report.requestedDatetime, period),
      report.district,
      report.serviceCode,
    );
    const list = byRow.get(k) ?? [];
    list.push(report);
    byRow.set(k, list);
  }
  return groups
    .map((g): SocialTopicRow => {
      const start = new Date(g._id.p);
      const linked =
        g._id.d && g._id.t
          ? (byRow.get(key(start, g._id.d, g._id.t)) ?? [])
          : [];
      return {
        period,
        periodStart: start,
        district: g._id.d ?? null,
        serviceCode: g._id.t ?? null,
        posts: g.posts,
        citizenReportCount: linked.length,
        citizenReports: linked.slice(0, REPORTS_PER_ROW),
      };
    })
    .sort(
      (a, b) =>
        b.periodStart.getTime() - a.periodStart.getTime() ||
        (a.district ?? '~').localeCompare(b.district ?? '~') ||
        (a.serviceCode ?? '~').localeCompare(b.serviceCode ?? '~'),
    );
}
