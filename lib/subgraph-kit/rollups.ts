/**
 * Rollups of readings (issue 17, docs/trends.md): per device (`device.id`)
 * and per district (`device.district`), 15-minute, hourly and daily
 * count/sum/min/max of each quantity of a reading collection, kept in a
 * regular collection beside it (`traffic_flow_readings` → `traffic_flow_rollups`),
 * so that trend questions answer from a few documents whatever the range.
 *
 * This file holds what the rest of the engine shares: the series a
 * department declares, the rollup documents and their indexes. The engine:
 * - rollupWindows.ts: window arithmetic, the resolution chosen for a range;
 * - rollupPending.ts: the dirty-window ledger `rollup_pending` ingest marks;
 * - recomputeRollups.ts: a window's rollups recomputed from raw readings;
 * - rollupJob.ts: the periodic job (catch-up at start) that recomputes what is marked;
 * - readTrend.ts: trends and totals read back from the rollups.
 *
 * Contract with the readings (docs/scale.md, notes/scale-design.md): every
 * reading has `observedAt` (a Date) and `device: { id, district }`.
 */
import type { Collection, Document } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Resolution } from './rollupWindows.js';

export {
  RESOLUTIONS,
  RESOLUTION_MS,
  type Resolution,
} from './rollupWindows.js';

/** What a rollup summarises: one device, or every device of one district. */
export type RollupScope = 'device' | 'district';

/** The two scopes, in the order the engine writes them. */
export const ROLLUP_SCOPES: readonly RollupScope[] = ['device', 'district'];

/** The reading field holding each scope's key (the readings' meta field, docs/scale.md). */
export const SCOPE_FIELD: Readonly<Record<RollupScope, string>> = {
  device: 'device.id',
  district: 'device.district',
};

/** The reading field holding a scope's key in `series`. */
export function scopeField(series: RollupSeries, scope: RollupScope): string {
  return series.scopeFields?.[scope] ?? SCOPE_FIELD[scope];
}

/**
 * The exact statistics of one quantity over a bucket: readings that carried
 * it (a null or missing value does not count), their sum, min and max.
 * The mean is `sum / count`.
 */
export interface QuantityStats {
  count: number;
  sum: number;
  /** Null when `count` is 0. */
  min: number | null;
  /** Null when `count` is 0. */
  max: number | null;
}

/** One rollup document. */
export interface RollupDoc {
  /** `<scope>|<key>|<resolution>|<start ISO>`: one document per bucket, rewritten whole. */
  _id: string;
  scope: RollupScope;
  /** The device id or the district's INSEE code. */
  key: string;
  resolution: Resolution;
  /** Start of the bucket (inclusive), aligned in UTC. */
  start: Date;
  /** End of the bucket (exclusive). */
  end: Date;
  /** Readings in the bucket. */
  count: number;
  /** Per quantity of the series. */
  q: Record<string, QuantityStats>;
  /** When the TTL index removes it (start + the resolution's retention). */
  expiresAt: Date;
}

/**
 * One reading collection and what its rollups summarise, as a department
 * declares it (e.g. mobility's traffic flow).
 */
export interface RollupSeries {
  /** The raw readings collection (a time-series collection). */
  readonly readings: string;
  /**
   * The rollup collection (a regular collection).
   * @default the readings' name with `_readings` / `_observed` replaced by `_rollups`
   */
  readonly rollups?: string;
  /**
   * Per quantity name (letters and digits, e.g. `occupancy`), the aggregation
   * expression of one reading that gives its value: a field path
   * (`'$occupancy'`) or any expression (`{ $cond: … }`, e.g. 1/0 for a
   * boolean). It must give a number, or null when the reading did not carry
   * the quantity (null and missing do not count).
   */
  readonly quantities: Readonly<Record<string, string | Document>>;
  /**
   * The reading fields holding each scope's key, for a collection not yet
   * in the meta-field shape.
   * @default SCOPE_FIELD (`device.id`, `device.district`)
   */
  readonly scopeFields?: Readonly<Record<RollupScope, string>>;
}

/** Days each resolution's rollups are kept. */
export type RollupRetention = Readonly<Record<Resolution, number>>;

/** Defaults of `ROLLUP_RETENTION_*_DAYS` (lib/runtime/config.ts). */
export const DEFAULT_ROLLUP_RETENTION_DAYS: RollupRetention = {
  '15m': 400,
  '1h': 3650,
  '1d': 3650,
};

/** Default of `READINGS_RAW_RETENTION_DAYS` (lib/runtime/config.ts). */
export const DEFAULT_RAW_RETENTION_DAYS = 90;

/**
 * The `comment` every command of the rollup job carries (MongoDB shows it in
 * the profiler, `currentOp` and the logs), so operators and tests can tell
 * the background job's database work from the requests'. Marking windows on
 * ingest is part of the request and carries none.
 */
export const ROLLUP_JOB_COMMENT = 'rollup-job';

const QUANTITY_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** The rollup collection of a series. */
export function rollupCollectionName(series: RollupSeries): string {
  if (series.rollups) return series.rollups;
  const base = series.readings.replace(/_(readings|observed)$/, '');
  return `${base}_rollups`;
}

/** The quantity names of a series; throws on a name that cannot be a field name. */
export function quantityNames(series: RollupSeries): string[] {
  const names = Object.keys(series.quantities);
  for (const name of names)
    if (!QUANTITY_NAME.test(name))
      throw new Error(
        `rollup quantity "${name}" of ${series.readings}: letters and digits only`,
      );
  return names;
}

/** The `_id` of a rollup document. */
export function rollupId(
  scope: RollupScope,
  key: string,
  resolution: Resolution,
  start: Date,
): string {
  return `${scope}|${key}|${resolution}|${start.toISOString()}`;
}

/** The rollup collection of a series, through the department's connection. */
export function rollupCollection(
  connection: Connection,
  series: RollupSeries,
): Collection<RollupDoc> {
  return connection.collection<RollupDoc>(
    rollupCollectionName(series),
  ) as unknown as Collection<RollupDoc>;
}

/**
 * Creates the indexes of each series' rollup collection: the trend reads
 * (`scope, key, resolution, start`), the recomputation of an hour or a day
 * from the finer rollups of all keys (`resolution, start`), and the TTL on
 * `expiresAt`. Idempotent; called at start by the job.
 */
export async function ensureRollupIndexes(
  connection: Connection,
  series: readonly RollupSeries[],
): Promise<void> {
  for (const s of series) {
    quantityNames(s);
    const rollups = rollupCollection(connection, s);
    await rollups.createIndex({ scope: 1, key: 1, resolution: 1, start: 1 });
    await rollups.createIndex({ resolution: 1, start: 1 });
    await rollups.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  }
}
