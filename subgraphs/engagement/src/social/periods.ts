/** The periods citizens' posts are counted in (UTC): hours, days and ISO weeks (from Monday). */

/** A period of `socialTopics`. */
export type SocialPeriod = 'HOUR' | 'DAY' | 'WEEK';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The start of the period `at` is in. */
export function periodStart(at: Date, period: SocialPeriod): Date {
  if (period === 'HOUR')
    return new Date(Math.floor(at.getTime() / HOUR) * HOUR);
  const day = new Date(Math.floor(at.getTime() / DAY) * DAY);
  if (period === 'DAY') return day;
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY);
}

/** The stored field that holds a post's period start. */
export const PERIOD_FIELD = { HOUR: 'hour', DAY: 'day', WEEK: 'week' } as const;
