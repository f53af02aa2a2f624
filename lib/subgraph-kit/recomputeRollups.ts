/**
 * Recomputation of rollups (lib/subgraph-kit/rollups.ts): the 15-minute
 * rollups of a set of windows from the raw readings (one `$match` on the
 * `observedAt` range and one `$group` per window, per device; the districts
 * are merged from the devices' groups), then the hours
 * holding them from the 15-minute rollups, then the days from the hours.
 * Every document is rewritten whole (an upsert into the rollup collection
 * that carries its shard key, never a write to the readings), so recomputing
 * a window twice gives the same documents.
 *
 * A recomputed window never loses a key: readings are only ever added to a
 * window while its raw data is kept (raw removal by TTL happens past raw
 * retention, where nothing is recomputed), so the keys found again are a
 * superset of those written before.
 */
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { Connection } from 'mongoose';
import {
  DEFAULT_ROLLUP_RETENTION_DAYS,
  ROLLUP_JOB_COMMENT,
  quantityNames,
  rollupCollection,
  rollupId,
  scopeField,
  type QuantityStats,
  type RollupDoc,
  type RollupRetention,
  type RollupScope,
  type RollupSeries,
} from './rollups.js';
import {
  FINER,
  RESOLUTION_MS,
  floorTo,
  type Resolution,
} from './rollupWindows.js';

/** Options of {@link recomputeWindows}. */
export interface RecomputeOptions {
  /** The department's database. */
  readonly connection: Connection;
  readonly series: RollupSeries;
  /** Days each resolution is kept (sets `expiresAt`). @default DEFAULT_ROLLUP_RETENTION_DAYS */
  readonly retentionDays?: RollupRetention;
}

/** What one recomputation did. */
export interface RecomputeReport {
  /** 15-minute windows recomputed from raw readings. */
  windows: number;
  hours: number;
  days: number;
  /** Rollup documents written (all resolutions and scopes). */
  documents: number;
}

/** The start of the bucket of `size` ms holding the date at `path`, as an aggregation expression. */
function bucketStart(path: string, size: number): Document {
  return {
    $toDate: {
      $subtract: [{ $toLong: path }, { $mod: [{ $toLong: path }, size] }],
    },
  };
}

/** The distinct starts among `starts`, oldest first. */
function distinct(starts: readonly Date[]): Date[] {
  return [...new Set(starts.map((s) => s.getTime()))]
    .sort((a, b) => a - b)
    .map((ms) => new Date(ms));
}

/** The accumulators of each quantity, named by index (`$group` field names cannot hold dots). */
function quantityAccumulators(
  names: readonly string[],
  value: (name: string, i: number) => Record<'c' | 's' | 'n' | 'x', Document>,
): Document {
  const fields: Document = {};
  names.forEach((name, i) => {
    const v = value(name, i);
    fields[`c${i}`] = v.c;
    fields[`s${i}`] = v.s;
    fields[`n${i}`] = v.n;
    fields[`x${i}`] = v.x;
  });
  return fields;
}

/**
 * The `$group` accumulators of each quantity's statistics over raw readings:
 * `c<i>` count, `s<i>` sum, `n<i>` min, `x<i>` max. `$sum`, `$min` and
 * `$max` skip null and missing values by themselves; only the count needs a
 * test. (Kept to the fewest expressions: they are evaluated per reading.)
 */
export function rawQuantityAccumulators(
  series: RollupSeries,
  names: readonly string[],
): Document {
  return quantityAccumulators(names, (name) => {
    const expr = series.quantities[name] as string | Document;
    return {
      c: { $sum: { $cond: [{ $isNumber: expr }, 1, 0] } },
      s: { $sum: expr },
      n: { $min: expr },
      x: { $max: expr },
    };
  });
}

interface GroupRow {
  count: number;
  [field: string]: unknown;
}

/**
 * The statistics of quantity `i` in a `$group` row (fields `c<i>`, `s<i>`,
 * `n<i>`, `x<i>`): raw readings' and rollups' groups share the shape.
 */
export function statsOf(
  row: { count: number; [field: string]: unknown },
  i: number,
): QuantityStats {
  const count = Number(row[`c${i}`] ?? 0);
  const min = row[`n${i}`];
  const max = row[`x${i}`];
  return {
    count,
    sum: count === 0 ? 0 : Number(row[`s${i}`] ?? 0),
    min: count === 0 || typeof min !== 'number' ? null : min,
    max: count === 0 || typeof max !== 'number' ? null : max,
  };
}

/** Adds `b` into `a` (the districts' statistics merged from their devices'). */
function mergeStats(a: QuantityStats, b: QuantityStats): void {
  a.count += b.count;
  a.sum += b.sum;
  if (b.min !== null && (a.min === null || b.min < a.min)) a.min = b.min;
  if (b.max !== null && (a.max === null || b.max > a.max)) a.max = b.max;
}

class DocBuilder {
  readonly docs = new Map<string, RollupDoc>();
  constructor(
    private readonly names: readonly string[],
    private readonly retention: RollupRetention,
  ) {}

  add(
    scope: RollupScope,
    key: string,
    resolution: Resolution,
    start: Date,
    row: GroupRow,
  ): void {
    const id = rollupId(scope, key, resolution, start);
    const q = Object.fromEntries(
      this.names.map((name, i) => [name, statsOf(row, i)]),
    );
    const held = this.docs.get(id);
    if (held) {
      held.count += row.count;
      for (const name of this.names)
        mergeStats(held.q[name] as QuantityStats, q[name] as QuantityStats);
      return;
    }
    this.docs.set(id, {
      _id: id,
      scope,
      key,
      resolution,
      start,
      end: new Date(start.getTime() + RESOLUTION_MS[resolution]),
      count: row.count,
      q,
      expiresAt: new Date(
        start.getTime() + this.retention[resolution] * 86_400_000,
      ),
    });
  }
}

/**
 * The write of one rollup document: an upsert whose filter carries, beside
 * `_id`, the rollup collections' shard key `{ scope, key, resolution, start }`
 * (scripts/shardKeys.ts, docs/decisions/0020): on a sharded cluster an
 * upsert's filter must hold the full shard key by equality, or mongos cannot
 * target it (MongoDB manual, db.collection.updateOne, "Upsert on a Sharded
 * Collection"). The key's fields come from the filter on insert and never
 * change after; every other field is set, so the document is rewritten whole
 * (a `$set` of top-level fields costs localdb less than a replacement, and
 * MongoDB the same). tests/deploy/upsertShardKeys.test.ts holds it to the key.
 */
export function rollupUpsert(doc: RollupDoc): AnyBulkWriteOperation<RollupDoc> {
  const { _id, scope, key, resolution, start, ...fields } = doc;
  return {
    updateOne: {
      filter: { _id, scope, key, resolution, start },
      update: { $set: fields },
      upsert: true,
    },
  };
}

async function writeDocs(
  options: RecomputeOptions,
  docs: Iterable<RollupDoc>,
): Promise<number> {
  const operations: AnyBulkWriteOperation<RollupDoc>[] = [];
  for (const doc of docs) operations.push(rollupUpsert(doc));
  if (operations.length === 0) return 0;
  await rollupCollection(options.connection, options.series).bulkWrite(
    operations,
    { ordered: false, comment: ROLLUP_JOB_COMMENT },
  );
  return operations.length;
}

/**
 * Recomputes the 15-minute rollups of one window from raw readings. One
 * aggregation per window: the window's start is a constant of the group key
 * rather than an expression evaluated per reading (which cost localdb five
 * times the rest of the group).
 */
async function recomputeRaw(
  options: RecomputeOptions,
  names: readonly string[],
  window: Date,
): Promise<number> {
  const run = {
    from: window,
    to: new Date(window.getTime() + RESOLUTION_MS['15m']),
  };
  const { series } = options;
  const rows = await options.connection
    .collection(series.readings)
    .aggregate<GroupRow & { _id: { w: Date; id: unknown; d: unknown } }>(
      [
        { $match: { observedAt: { $gte: run.from, $lt: run.to } } },
        {
          $group: {
            _id: {
              w: { $literal: window },
              id: `$${scopeField(series, 'device')}`,
              d: `$${scopeField(series, 'district')}`,
            },
            count: { $sum: 1 },
            ...rawQuantityAccumulators(series, names),
          },
        },
      ],
      { comment: ROLLUP_JOB_COMMENT },
    )
    .toArray();
  const builder = new DocBuilder(
    names,
    options.retentionDays ?? DEFAULT_ROLLUP_RETENTION_DAYS,
  );
  for (const row of rows) {
    const start = new Date(row._id.w);
    if (typeof row._id.id === 'string')
      builder.add('device', row._id.id, '15m', start, row);
    if (typeof row._id.d === 'string')
      builder.add('district', row._id.d, '15m', start, row);
  }
  return writeDocs(options, builder.docs.values());
}

/** Recomputes the rollups of one bucket of `resolution` from those of the finer resolution. */
async function recomputeFromFiner(
  options: RecomputeOptions,
  names: readonly string[],
  resolution: '1h' | '1d',
  start: Date,
): Promise<number> {
  const run = {
    from: start,
    to: new Date(start.getTime() + RESOLUTION_MS[resolution]),
  };
  const rows = await rollupCollection(options.connection, options.series)
    .aggregate<
      GroupRow & { _id: { b: Date; scope: RollupScope; key: string } }
    >(
      [
        {
          $match: {
            resolution: FINER[resolution],
            start: { $gte: run.from, $lt: run.to },
          },
        },
        {
          $group: {
            _id: {
              b: { $literal: start },
              scope: '$scope',
              key: '$key',
            },
            count: { $sum: '$count' },
            ...quantityAccumulators(names, (name) => ({
              c: { $sum: `$q.${name}.count` },
              s: { $sum: `$q.${name}.sum` },
              n: { $min: `$q.${name}.min` },
              x: { $max: `$q.${name}.max` },
            })),
          },
        },
      ],
      { comment: ROLLUP_JOB_COMMENT },
    )
    .toArray();
  const builder = new DocBuilder(
    names,
    options.retentionDays ?? DEFAULT_ROLLUP_RETENTION_DAYS,
  );
  for (const row of rows)
    builder.add(
      row._id.scope,
      row._id.key,
      resolution,
      new Date(row._id.b),
      row,
    );
  return writeDocs(options, builder.docs.values());
}

/**
 * Recomputes the 15-minute rollups (per device and per district) of each of
 * `windows` (window starts) from the raw readings, then the hour and the day
 * holding each from the finer rollups. The caller decides which windows may
 * still be recomputed (rollupJob.ts skips those past raw retention).
 */
export async function recomputeWindows(
  options: RecomputeOptions,
  windows: readonly Date[],
): Promise<RecomputeReport> {
  const names = quantityNames(options.series);
  const starts = windows.map((w) => floorTo(w, '15m'));
  const report: RecomputeReport = {
    windows: new Set(starts.map((s) => s.getTime())).size,
    hours: 0,
    days: 0,
    documents: 0,
  };
  for (const window of distinct(starts))
    report.documents += await recomputeRaw(options, names, window);
  const hours = distinct(starts.map((s) => floorTo(s, '1h')));
  for (const hour of hours)
    report.documents += await recomputeFromFiner(options, names, '1h', hour);
  report.hours = hours.length;
  const days = distinct(starts.map((s) => floorTo(s, '1d')));
  for (const day of days)
    report.documents += await recomputeFromFiner(options, names, '1d', day);
  report.days = days.length;
  return report;
}

/** Options of {@link rebuildRollups}. */
export interface RebuildOptions {
  readonly connection: Connection;
  readonly series: readonly RollupSeries[];
  /** @default DEFAULT_ROLLUP_RETENTION_DAYS */
  readonly retentionDays?: RollupRetention;
}

/**
 * Recomputes every window that holds readings, for each series: what a
 * seed calls after storing its history (readings written without ingest,
 * hence without markers). One aggregation finds the windows; they are then
 * recomputed as the job would. Idempotent.
 */
export async function rebuildRollups(
  options: RebuildOptions,
): Promise<Record<string, RecomputeReport>> {
  const reports: Record<string, RecomputeReport> = {};
  for (const series of options.series) {
    const windows = await options.connection
      .collection(series.readings)
      .aggregate<{ _id: Date }>(
        [
          {
            $group: {
              _id: bucketStart('$observedAt', RESOLUTION_MS['15m']),
            },
          },
        ],
        { comment: ROLLUP_JOB_COMMENT },
      )
      .toArray();
    reports[series.readings] = await recomputeWindows(
      {
        connection: options.connection,
        series,
        ...(options.retentionDays
          ? { retentionDays: options.retentionDays }
          : {}),
      },
      windows.map((w) => new Date(w._id)),
    );
  }
  return reports;
}
