/** Loader: the social posts about each citizen report (CitizenReport.socialMentions), counted. */
import DataLoader from 'dataloader';
import type { EngagementModels } from '../models/index.js';
import {
  countMentions,
  mentionWindow,
  type MentionedReport,
  type MentioningPost,
  type SocialMentions,
} from '../social/socialMentions.js';

/** At most this many candidate posts are read per batch (a batch is a page of reports). */
export const MENTION_CANDIDATES_LIMIT = 20_000;

/**
 * One `find` per batch of reports: the posts of their service types and
 * districts over the union of their windows (the `{ postedAt, district }`
 * index), only the fields the link reads; then each report counts its own
 * in memory (social/socialMentions.ts).
 */
export function socialMentionsByReport(
  models: EngagementModels,
  now: () => Date,
) {
  return new DataLoader<MentionedReport, SocialMentions, string>(
    async (reports) => {
      const at = now();
      const windows = reports.map((r) => mentionWindow(r, at));
      const from = new Date(Math.min(...windows.map((w) => w.from.getTime())));
      const to = new Date(Math.max(...windows.map((w) => w.to.getTime())));
      const posts = await models.SocialPost.find(
        {
          postedAt: { $gte: from, $lte: to },
          district: { $in: [...new Set(reports.map((r) => r.district))] },
          topics: { $in: [...new Set(reports.map((r) => r.serviceCode))] },
        },
        { _id: 0, postedAt: 1, topics: 1, district: 1, location: 1 },
      )
        .limit(MENTION_CANDIDATES_LIMIT)
        .lean<MentioningPost[]>()
        .exec();
      return reports.map((report) => countMentions(report, posts, at));
    },
    { cacheKeyFn: (report) => report._id },
  );
}
