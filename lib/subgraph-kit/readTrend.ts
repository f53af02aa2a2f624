/**
 * Reading the rollups back (lib/subgraph-kit/rollups.ts):
 * - {@link readTrends}: the buckets of a resolution over a range, for many
 *   keys at once (a loader's batch), from the rollups (or, for checks, the
 *   same buckets recomputed from raw readings);
 * - {@link readTotals}: the statistics of any range as one total per key,
 *   from the fewest whole rollups (days in the middle, hours and 15-minute
 *   windows towards the ends) plus the raw readings of the parts of a
 *   15-minute window at either end.
 */
import type { Document } from 'mongodb';
import type { Connection } from 'mongoose';
import {
  DEFAULT_RAW_RETENTION_DAYS,
  quantityNames,
  rollupCollection,
  scopeField,
  type QuantityStats,
  type RollupDoc,
  type RollupScope,
  type RollupSeries,
} from './rollups.js';
import { rawQuantityAccumulators } from './recomputeRollups.js';
import {
  RESOLUTION_MS,
  floorTo,
  splitRange,
  type Resolution,
  type TrendRange,
} from './rollupWindows.js';
import { statsOf } from './recomputeRollups.js';

/** Where a trend's buckets came from. */
export type TrendSource = 'ROLLUPS' | 'RAW';

/** One quantity over a bucket, with its mean (`sum / count`, null when `count` is 0). */
export interface QuantitySummary extends QuantityStats {
  mean: number | null;
}

/** One bucket of a trend. */
export interface TrendBucket {
  start: Date;
  end: Date;
  /** Readings in the bucket. */
  count: number;
  /** Per quantity of the series. */
  q: Record<string, QuantitySummary>;
}

/** A key's trend. */
export interface Trend {
  resolution: Resolution;
  source: TrendSource;
  /** The range asked. */
  range: TrendRange;
  /** Whether the range starts before raw retention (its older part exists only as rollups). */
  reachesPastRawRetention: boolean;
  /** Buckets holding readings, oldest first; a bucket partly outside the range counts whole, an empty one is left out. */
  buckets: TrendBucket[];
}

/** Options of {@link readTrends}. */
export interface TrendOptions {
  readonly connection: Connection;
  readonly series: RollupSeries;
  readonly scope: RollupScope;
  /** Device ids or district codes. */
  readonly keys: readonly string[];
  /** Checked by `chooseResolution` beforehand. */
  readonly range: TrendRange;
  readonly resolution: Resolution;
  /** @default 'ROLLUPS'; 'RAW' recomputes the buckets from raw readings (checks, benchmarks). */
  readonly source?: TrendSource;
  /** `READINGS_RAW_RETENTION_DAYS`. @default 90 */
  readonly rawRetentionDays?: number;
  /** @default new Date() */
  readonly now?: Date;
}

/** Whether `from` is older than raw retention at `now`. */
export function reachesPastRawRetention(
  from: Date,
  rawRetentionDays: number = DEFAULT_RAW_RETENTION_DAYS,
  now: Date = new Date(),
): boolean {
  return from.getTime() < now.getTime() - rawRetentionDays * 86_400_000;
}

function summarize(stats: QuantityStats): QuantitySummary {
  return {
    count: stats.count,
    sum: stats.sum,
    min: stats.min,
    max: stats.max,
    mean: stats.count === 0 ? null : stats.sum / stats.count,
  };
}

/** The accumulators merging rollup documents' statistics. */
function rollupAccumulators(names: readonly string[]) {
  const fields: Document = {};
  names.forEach((name, i) => {
    fields[`c${i}`] = { $sum: `$q.${name}.count` };
    fields[`s${i}`] = { $sum: `$q.${name}.sum` };
    fields[`n${i}`] = { $min: `$q.${name}.min` };
    fields[`x${i}`] = { $max: `$q.${name}.max` };
  });
  return fields;
}

type Row = Record<string, unknown> & { count: number };

function bucketStartExpr(size: number): Document {
  return {
    $toDate: {
      $subtract: [
        { $toLong: '$observedAt' },
        { $mod: [{ $toLong: '$observedAt' }, size] },
      ],
    },
  };
}

/**
 * The trend of each of `keys` (every key gets one, possibly without
 * buckets): one query of the rollup collection (`scope, key, resolution,
 * start`), or with `source: 'RAW'` one aggregation of the readings.
 */
export async function readTrends(
  options: TrendOptions,
): Promise<Map<string, Trend>> {
  const { series, scope, keys, range, resolution } = options;
  const names = quantityNames(series);
  const source = options.source ?? 'ROLLUPS';
  const trends = new Map<string, Trend>(
    keys.map((key) => [
      key,
      {
        resolution,
        source,
        range,
        reachesPastRawRetention: reachesPastRawRetention(
          range.from,
          options.rawRetentionDays,
          options.now,
        ),
        buckets: [],
      },
    ]),
  );
  if (keys.length === 0) return trends;
  const first = floorTo(range.from, resolution);
  if (source === 'ROLLUPS') {
    const docs = await rollupCollection(options.connection, series)
      .find(
        {
          scope,
          key: { $in: [...keys] },
          resolution,
          start: { $gte: first, $lt: range.to },
        },
        { projection: { _id: 0, key: 1, start: 1, end: 1, count: 1, q: 1 } },
      )
      .sort({ scope: 1, key: 1, resolution: 1, start: 1 })
      .toArray();
    for (const doc of docs as Pick<
      RollupDoc,
      'key' | 'start' | 'end' | 'count' | 'q'
    >[]) {
      trends.get(doc.key)?.buckets.push({
        start: doc.start,
        end: doc.end,
        count: doc.count,
        q: Object.fromEntries(
          names.map((name) => [
            name,
            summarize(
              doc.q[name] ?? { count: 0, sum: 0, min: null, max: null },
            ),
          ]),
        ),
      });
    }
    return trends;
  }
  const size = RESOLUTION_MS[resolution];
  const rows = await options.connection
    .collection(series.readings)
    .aggregate<Row & { _id: { b: Date; k: string } }>([
      {
        $match: {
          [scopeField(series, scope)]: { $in: [...keys] },
          observedAt: {
            $gte: first,
            $lt: new Date(floorTo(range.to, resolution).getTime() + size),
          },
        },
      },
      {
        $group: {
          _id: { b: bucketStartExpr(size), k: `$${scopeField(series, scope)}` },
          count: { $sum: 1 },
          ...rawQuantityAccumulators(series, names),
        },
      },
    ])
    .toArray();
  rows.sort(
    (a, b) => new Date(a._id.b).getTime() - new Date(b._id.b).getTime(),
  );
  for (const row of rows) {
    const start = new Date(row._id.b);
    if (start.getTime() >= range.to.getTime()) continue;
    trends.get(row._id.k)?.buckets.push({
      start,
      end: new Date(start.getTime() + size),
      count: row.count,
      q: Object.fromEntries(
        names.map((name, i) => [name, summarize(statsOf(row, i))]),
      ),
    });
  }
  return trends;
}

/** A key's statistics over a whole range. */
export interface Totals {
  count: number;
  q: Record<string, QuantitySummary>;
}

/** Options of {@link readTotals}. */
export interface TotalsOptions {
  readonly connection: Connection;
  readonly series: RollupSeries;
  readonly scope: RollupScope;
  readonly keys: readonly string[];
  /** Either end may be open (all of the history on that side). */
  readonly range?:
    | { from?: Date | null | undefined; to?: Date | null | undefined }
    | null
    | undefined;
  /** `READINGS_RAW_RETENTION_DAYS`. @default 90 */
  readonly rawRetentionDays?: number;
  /** @default new Date() */
  readonly now?: Date;
}

/** What {@link readTotals} answers. */
export interface TotalsResult {
  /** Per key (every key asked gets one). */
  totals: Map<string, Totals>;
  /** Whether raw readings answered the parts of a 15-minute window at either end. */
  usedRaw: boolean;
  /**
   * Whether the range starts before raw retention. Where an end of the
   * range cuts a 15-minute window older than raw retention, that part is
   * left out (its raw readings are gone): only whole windows count there.
   */
  reachesPastRawRetention: boolean;
}

// Open ends: the whole history (the epoch) and far enough in the future.
const OPEN_FROM = new Date(0);
const OPEN_TO = new Date(Date.UTC(9999, 0, 1));

/**
 * The statistics of each of `keys` over `range`: one aggregation of the
 * rollup collection over the range's whole buckets, and one of the readings
 * for the parts of a 15-minute window at either end (when the range is not
 * aligned to 15 minutes).
 */
export async function readTotals(
  options: TotalsOptions,
): Promise<TotalsResult> {
  const { series, scope, keys } = options;
  const names = quantityNames(series);
  const now = options.now ?? new Date();
  const rawRetentionDays =
    options.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS;
  const from = options.range?.from ?? OPEN_FROM;
  const to = options.range?.to ?? OPEN_TO;
  const totals = new Map<string, Totals>(
    keys.map((key) => [
      key,
      {
        count: 0,
        q: Object.fromEntries(
          names.map((n) => [
            n,
            { count: 0, sum: 0, min: null, max: null, mean: null },
          ]),
        ),
      },
    ]),
  );
  const past = reachesPastRawRetention(from, rawRetentionDays, now);
  if (keys.length === 0 || from.getTime() >= to.getTime())
    return { totals, usedRaw: false, reachesPastRawRetention: past };
  const pieces = splitRange({ from, to });
  const rawPieces: { from: Date; to: Date }[] = [];
  const rollupPieces: Document[] = [];
  for (const piece of pieces) {
    if (piece.resolution === 'raw') {
      // Past raw retention the cut window's readings are gone: left out.
      if (!reachesPastRawRetention(piece.from, rawRetentionDays, now))
        rawPieces.push(piece);
    } else
      rollupPieces.push({
        resolution: piece.resolution,
        start: { $gte: piece.from, $lt: piece.to },
      });
  }
  const add = (key: string, row: Row) => {
    const entry = totals.get(key);
    if (!entry) return;
    entry.count += row.count;
    names.forEach((name, i) => {
      const held = entry.q[name] as QuantitySummary;
      const stats = statsOf(row, i);
      held.count += stats.count;
      held.sum += stats.sum;
      if (stats.min !== null && (held.min === null || stats.min < held.min))
        held.min = stats.min;
      if (stats.max !== null && (held.max === null || stats.max > held.max))
        held.max = stats.max;
    });
  };
  // One aggregation per piece, all at once: each is an equality on the
  // index's prefix and one range on its last field, so it reads only its own
  // buckets. With a single `$or` of the pieces the index can be bounded by
  // `{ scope, key }` only, leaving every rollup of the key (each resolution,
  // the whole history) to filter; per piece, bench:scale's year of water
  // balance went from p50 109 to 59 ms. Partial groups merge exactly (`add`).
  const rollupRows = rollupPieces.map((piece) =>
    rollupCollection(options.connection, series)
      .aggregate<Row & { _id: string }>([
        { $match: { scope, key: { $in: [...keys] }, ...piece } },
        {
          $group: {
            _id: '$key',
            count: { $sum: '$count' },
            ...rollupAccumulators(names),
          },
        },
      ])
      .toArray(),
  );
  const rawRows = rawPieces.map((piece) =>
    options.connection
      .collection(series.readings)
      .aggregate<Row & { _id: string }>([
        {
          $match: {
            [scopeField(series, scope)]: { $in: [...keys] },
            observedAt: { $gte: piece.from, $lt: piece.to },
          },
        },
        {
          $group: {
            _id: `$${scopeField(series, scope)}`,
            count: { $sum: 1 },
            ...rawQuantityAccumulators(series, names),
          },
        },
      ])
      .toArray(),
  );
  for (const rows of await Promise.all([...rollupRows, ...rawRows]))
    for (const row of rows) add(row._id, row);
  for (const entry of totals.values())
    for (const name of names) {
      const held = entry.q[name] as QuantitySummary;
      held.mean = held.count === 0 ? null : held.sum / held.count;
    }
  return {
    totals,
    usedRaw: rawPieces.length > 0,
    reachesPastRawRetention: past,
  };
}
