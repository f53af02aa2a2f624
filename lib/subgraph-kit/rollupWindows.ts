/**
 * Window arithmetic of the rollups (lib/subgraph-kit/rollups.ts): buckets
 * of 15 minutes, an hour and a day, aligned in UTC (a day is 00:00 to 24:00
 * UTC, 01:00 or 02:00 in Marseille), and the resolution a trend uses for a
 * range, with the limits that keep an answer small.
 */
import { BadUserInputError } from '../runtime/errors.js';

/** The rollup resolutions, finest first. */
export const RESOLUTIONS = ['15m', '1h', '1d'] as const;
/** One resolution. */
export type Resolution = (typeof RESOLUTIONS)[number];

/** The length of each resolution's bucket, ms. */
export const RESOLUTION_MS: Readonly<Record<Resolution, number>> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

/** The resolution a bucket of each is recomputed from (raw readings for 15m). */
export const FINER: Readonly<Record<'1h' | '1d', Resolution>> = {
  '1h': '15m',
  '1d': '1h',
};

/** The longest range, in days, a trend may ask at each resolution (at most 672, 2,232 and 3,660 buckets). */
export const TREND_RANGE_LIMIT_DAYS: Readonly<Record<Resolution, number>> = {
  '15m': 7,
  '1h': 93,
  '1d': 3660,
};

/** Ranges up to this many days answer at 15m, unless a resolution is asked. */
const AUTO_15M_DAYS = 2;
/** Ranges up to this many days answer at 1h; longer ones at 1d. */
const AUTO_1H_DAYS = 62;

const DAY_MS = 86_400_000;

/** The start of the bucket of `resolution` holding `time`. */
export function floorTo(time: Date, resolution: Resolution): Date {
  const size = RESOLUTION_MS[resolution];
  return new Date(Math.floor(time.getTime() / size) * size);
}

/** The first bucket start of `resolution` at or after `time`. */
export function ceilTo(time: Date, resolution: Resolution): Date {
  const size = RESOLUTION_MS[resolution];
  return new Date(Math.ceil(time.getTime() / size) * size);
}

/** The distinct 15-minute windows holding `times`, oldest first. */
export function windowsOf(times: Iterable<Date>): Date[] {
  const starts = new Set<number>();
  for (const time of times) starts.add(floorTo(time, '15m').getTime());
  return [...starts].sort((a, b) => a - b).map((ms) => new Date(ms));
}

/** A closed time range, `from` inclusive, `to` exclusive. */
export interface TrendRange {
  readonly from: Date;
  readonly to: Date;
}

/**
 * The resolution a trend over `range` answers at: `asked` when given, else
 * 15m up to 2 days, 1h up to 62 days, 1d beyond. Refuses, as
 * BAD_USER_INPUT naming `argumentName`, a range that does not end after it
 * starts and a range longer than its resolution's limit
 * ({@link TREND_RANGE_LIMIT_DAYS}).
 */
export function chooseResolution(
  range: TrendRange,
  asked?: Resolution | null,
  argumentName = 'range',
): Resolution {
  const from = range.from.getTime();
  const to = range.to.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to)
    throw new BadUserInputError('"from" must be before "to".', {
      argumentName,
    });
  const days = (to - from) / DAY_MS;
  const resolution =
    asked ??
    (days <= AUTO_15M_DAYS ? '15m' : days <= AUTO_1H_DAYS ? '1h' : '1d');
  const limit = TREND_RANGE_LIMIT_DAYS[resolution];
  if (days > limit)
    throw new BadUserInputError(
      `A trend at resolution ${resolution} covers at most ${limit} days; this range covers ${Math.ceil(days)}. Ask a coarser resolution or a shorter range.`,
      { argumentName },
    );
  return resolution;
}

/** One piece of a range: whole buckets of a resolution, or raw readings for what is not a whole 15-minute window. */
export interface RangePiece {
  readonly resolution: Resolution | 'raw';
  readonly from: Date;
  readonly to: Date;
}

const COARSER: Readonly<Record<Resolution, Resolution | null>> = {
  '15m': '1h',
  '1h': '1d',
  '1d': null,
};

/**
 * Splits `[from, to)` into the fewest pieces of whole buckets: days in the
 * middle, hours and 15-minute windows towards the ends, and raw readings
 * for the parts of a 15-minute window at either end.
 */
export function splitRange(range: TrendRange): RangePiece[] {
  const pieces: RangePiece[] = [];
  const split = (
    from: Date,
    to: Date,
    resolution: Resolution | 'raw',
  ): void => {
    if (from.getTime() >= to.getTime()) return;
    const next: Resolution | null =
      resolution === 'raw' ? '15m' : COARSER[resolution];
    if (next === null) {
      pieces.push({ resolution, from, to });
      return;
    }
    const innerFrom = ceilTo(from, next);
    const innerTo = floorTo(to, next);
    if (innerFrom.getTime() >= innerTo.getTime()) {
      pieces.push({ resolution, from, to });
      return;
    }
    if (from.getTime() < innerFrom.getTime())
      pieces.push({ resolution, from, to: innerFrom });
    split(innerFrom, innerTo, next);
    if (innerTo.getTime() < to.getTime())
      pieces.push({ resolution, from: innerTo, to });
  };
  split(range.from, range.to, 'raw');
  return pieces.sort((a, b) => a.from.getTime() - b.from.getTime());
}
