/**
 * Which public posts are about what a citizen report is about
 * (`CitizenReport.socialMentions`, docs/ingestion.md "Social media"). Posts
 * name no asset id, so the link is by what both carry: the same service type
 * (the post's topics, classifyPost.ts), the same district, a time around the
 * report's life, and, when the post is geotagged, a place near the report's
 * (the asset it is on: a light, a meter, a street corner).
 */
import { distanceMetres } from '../../../../lib/ingest/validateObservation.js';
import type { CitizenReportDoc, SocialPostDoc } from '../models/index.js';

/** How far before a report was filed a post still counts (people post before anyone files). */
export const MENTION_BEFORE_MS = 2 * 24 * 3_600_000;
/** How long after a report was closed (or, while open, after now) a post still counts. */
export const MENTION_AFTER_MS = 2 * 24 * 3_600_000;
/** How near the report's location a geotagged post must be. */
export const MENTION_RADIUS_M = 500;

/** What a report's mentions answer. */
export interface SocialMentions {
  readonly posts: number;
  /** Of those, geotagged within {@link MENTION_RADIUS_M} of the report. */
  readonly nearby: number;
  readonly firstPostedAt: Date | null;
  readonly lastPostedAt: Date | null;
}

/** The part of a report the link reads. */
export type MentionedReport = Pick<
  CitizenReportDoc,
  | '_id'
  | 'serviceCode'
  | 'district'
  | 'location'
  | 'status'
  | 'requestedDatetime'
  | 'updatedDatetime'
>;

/** The part of a post the link reads. */
export type MentioningPost = Pick<
  SocialPostDoc,
  'postedAt' | 'topics' | 'district' | 'location'
>;

/** The time window of a report's mentions: from before it was filed to after it was closed (an open one: to now). */
export function mentionWindow(
  report: MentionedReport,
  now: Date,
): { from: Date; to: Date } {
  const end =
    report.status === 'closed'
      ? report.updatedDatetime.getTime()
      : now.getTime();
  return {
    from: new Date(report.requestedDatetime.getTime() - MENTION_BEFORE_MS),
    to: new Date(
      Math.max(end, report.requestedDatetime.getTime()) + MENTION_AFTER_MS,
    ),
  };
}

/** Whether `post` is about what `report` is about (see the module comment). */
export function mentions(
  post: MentioningPost,
  report: MentionedReport,
  window: { from: Date; to: Date },
): 'nearby' | 'district' | false {
  if (!post.topics.includes(report.serviceCode)) return false;
  if (post.district !== report.district) return false;
  const at = post.postedAt.getTime();
  if (at < window.from.getTime() || at > window.to.getTime()) return false;
  if (post.location === null) return 'district';
  return distanceMetres(post.location, report.location) <= MENTION_RADIUS_M
    ? 'nearby'
    : false;
}

/** The mentions of `report` among `posts`. */
export function countMentions(
  report: MentionedReport,
  posts: readonly MentioningPost[],
  now: Date,
): SocialMentions {
  const window = mentionWindow(report, now);
  let count = 0;
  let nearby = 0;
  let first: Date | null = null;
  let last: Date | null = null;
  for (const post of posts) {
    const link = mentions(post, report, window);
    if (!link) continue;
    count += 1;
    if (link === 'nearby') nearby += 1;
    if (first === null || post.postedAt < first) first = post.postedAt;
    if (last === null || post.postedAt > last) last = post.postedAt;
  }
  return { posts: count, nearby, firstPostedAt: first, lastPostedAt: last };
}
