/**
 * The rollup job of one subgraph process (lib/subgraph-kit/rollups.ts):
 * every `intervalMs` it recomputes the 15-minute windows marked in
 * `rollup_pending` (rollupPending.ts) and the hours and days holding them
 * (recomputeRollups.ts), then clears each marker unless it was marked again
 * meanwhile. Its first run, at start, is the catch-up after downtime: the
 * markers ingest left while no job ran (or a crash left) are all worked off.
 *
 * A window older than raw retention is never recomputed (its raw readings
 * are gone or going; its rollups stand): its marker is cleared and counted.
 *
 * Several replicas of a subgraph share one database: a lease per reading
 * collection (`rollup_leases`) lets one process at a time recompute it, so
 * an older recompute never overwrites a newer one.
 *
 * Failures (database unreachable, …) are logged and the next run retries;
 * nothing here throws into the process.
 */
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Config } from '../runtime/config.js';
import { describeError } from '../runtime/errors.js';
import type { Logger } from '../runtime/logger.js';
import { recomputeWindows } from './recomputeRollups.js';
import {
  clearMarkers,
  ensurePendingIndexes,
  findMarkers,
  type RollupPendingDoc,
} from './rollupPending.js';
import {
  DEFAULT_RAW_RETENTION_DAYS,
  DEFAULT_ROLLUP_RETENTION_DAYS,
  ROLLUP_JOB_COMMENT,
  ensureRollupIndexes,
  type RollupRetention,
  type RollupSeries,
} from './rollups.js';

/** The lease collection, in the department's own database. */
export const ROLLUP_LEASES_COLLECTION = 'rollup_leases';

/** Options of {@link createRollupJob}. */
export interface RollupJobOptions {
  /** The department's database. */
  readonly connection: Connection;
  /** The department's reading collections. */
  readonly series: readonly RollupSeries[];
  readonly logger: Logger;
  /** `ROLLUP_INTERVAL_MS`: pause between runs. @default 2000 */
  readonly intervalMs?: number;
  /** `ROLLUP_RETENTION_*_DAYS`. @default DEFAULT_ROLLUP_RETENTION_DAYS */
  readonly retentionDays?: RollupRetention;
  /** `READINGS_RAW_RETENTION_DAYS`: windows older than this are not recomputed. @default 90 */
  readonly rawRetentionDays?: number;
  /** Markers worked per step (a step recomputes them, then clears them). @default 500 */
  readonly batchSize?: number;
  /** How long a lease holds without renewal. @default 300000 */
  readonly leaseMs?: number;
  /**
   * A window this process recomputed less than this long ago waits (its
   * marker stays) rather than being recomputed at every run: under steady
   * ingestion the current window is marked by every batch, and recomputing
   * it from raw readings every interval would cost in proportion to the
   * readings it holds. Bounds each window to one recompute per this period;
   * its rollups lag by at most as much. 0 recomputes at every run.
   * @default 30000
   */
  readonly hotWindowMs?: number;
  /** The clock (tests move it). @default () => new Date() */
  readonly now?: () => Date;
}

/** What one run did, over every series. */
export interface RollupRunReport {
  readonly ranAt: Date;
  /** 15-minute windows recomputed from raw readings. */
  windows: number;
  hours: number;
  days: number;
  /** Rollup documents written. */
  documents: number;
  /** Markers of windows past raw retention, cleared without a recompute. */
  skippedPastRetention: number;
  /** Markers of windows recomputed less than `hotWindowMs` ago, left for a later run. */
  deferred: number;
  /** Reading collections another process held the lease of (skipped this run). */
  busy: string[];
}

/** The job; see the module comment. */
export interface RollupJob {
  /**
   * Works off every marker present (in steps of `batchSize`), for each
   * series whose lease it gets, but windows it recomputed less than
   * `hotWindowMs` ago. Rejects only if the database fails.
   */
  runOnce(): Promise<RollupRunReport>;
  /**
   * Runs now (the catch-up) and then every `intervalMs` until
   * {@link RollupJob.stop}; errors are logged. Resolves when the catch-up
   * run has ended (with its report, or null if it failed); never rejects.
   */
  start(): Promise<RollupRunReport | null>;
  /** Stops the timer and waits for the current run (and releases the leases). */
  stop(): Promise<void>;
}

interface LeaseDoc {
  _id: string;
  owner: string;
  until: Date;
}

function isDuplicateKey(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 11000
  );
}

/** Creates the job (not started). */
export function createRollupJob(options: RollupJobOptions): RollupJob {
  const {
    connection,
    series,
    logger,
    intervalMs = 2000,
    retentionDays = DEFAULT_ROLLUP_RETENTION_DAYS,
    rawRetentionDays = DEFAULT_RAW_RETENTION_DAYS,
    batchSize = 500,
    leaseMs = 300_000,
    hotWindowMs = 30_000,
    now = () => new Date(),
  } = options;
  // When this process last recomputed each window (`<collection>|<window ms>`).
  const recomputedAt = new Map<string, number>();
  const owner = randomUUID();
  const leases = connection.collection<LeaseDoc>(
    ROLLUP_LEASES_COLLECTION,
  ) as unknown as Collection<LeaseDoc>;
  let indexesReady: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<unknown> | null = null;
  let stopped = false;
  let firstRun = true;

  const acquire = async (name: string): Promise<boolean> => {
    const at = now();
    try {
      await leases.updateOne(
        { _id: name, $or: [{ until: { $lte: at } }, { owner }] },
        { $set: { owner, until: new Date(at.getTime() + leaseMs) } },
        { upsert: true, comment: ROLLUP_JOB_COMMENT },
      );
      return true;
    } catch (error) {
      // Held by another process: the upsert found no free lease and its insert collided.
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  };
  const release = (name: string) =>
    leases
      .deleteOne({ _id: name, owner }, { comment: ROLLUP_JOB_COMMENT })
      .then(() => undefined);

  const runSeries = async (s: RollupSeries, report: RollupRunReport) => {
    if (!(await acquire(s.readings))) {
      report.busy.push(s.readings);
      return;
    }
    try {
      for (;;) {
        const markers = await findMarkers(connection, s.readings, batchSize);
        if (markers.length === 0) break;
        const at = now().getTime();
        const oldest = at - rawRetentionDays * 86_400_000;
        const hot = (m: RollupPendingDoc) =>
          at - (recomputedAt.get(m._id) ?? -Infinity) < hotWindowMs;
        const due = markers.filter((m) => !hot(m));
        const live = due.filter((m) => m.window.getTime() >= oldest);
        report.skippedPastRetention += due.length - live.length;
        report.deferred += markers.length - due.length;
        for (const m of live) recomputedAt.set(m._id, at);
        if (live.length > 0) {
          const done = await recomputeWindows(
            { connection, series: s, retentionDays },
            live.map((m) => m.window),
          );
          report.windows += done.windows;
          report.hours += done.hours;
          report.days += done.days;
          report.documents += done.documents;
        }
        const cleared = await clearMarkers(connection, due);
        // A short batch was the last; a full one marked again entirely
        // (ingest keeps marking the same windows), or only of windows
        // recomputed just now, waits for the next run.
        if (markers.length < batchSize || cleared === 0 || stopped) break;
        if (!(await acquire(s.readings))) break;
      }
    } finally {
      await release(s.readings);
    }
  };

  const runOnce = async (): Promise<RollupRunReport> => {
    indexesReady ??= Promise.all([
      ensureRollupIndexes(connection, series),
      ensurePendingIndexes(connection),
    ]).then(
      () => undefined,
      (error: unknown) => {
        indexesReady = null;
        throw error;
      },
    );
    await indexesReady;
    const report: RollupRunReport = {
      ranAt: now(),
      windows: 0,
      hours: 0,
      days: 0,
      documents: 0,
      skippedPastRetention: 0,
      deferred: 0,
      busy: [],
    };
    for (const s of series) await runSeries(s, report);
    const at = now().getTime();
    for (const [key, time] of recomputedAt)
      if (at - time >= hotWindowMs) recomputedAt.delete(key);
    return report;
  };

  const tick = (): Promise<RollupRunReport | null> => {
    const run = runOnce().then(
      (report) => {
        const catchUp = firstRun;
        firstRun = false;
        if (report.skippedPastRetention > 0)
          logger.warn(
            { skippedPastRetention: report.skippedPastRetention },
            'rollups: windows past raw retention were marked; their rollups stand',
          );
        if (catchUp) logger.info({ ...report }, 'rollups: catch-up done');
        else if (report.windows > 0) logger.debug({ ...report }, 'rollups run');
        return report;
      },
      (error: unknown) => {
        logger.error(
          { err: describeError(error) },
          'rollups run failed; retried at the next interval',
        );
        return null;
      },
    );
    current = run.finally(() => {
      current = null;
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs).unref();
    });
    return run;
  };

  return {
    runOnce,
    start() {
      if (timer !== null || current !== null || stopped)
        return Promise.resolve(null);
      return tick();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await current;
    },
  };
}

/** The rollup settings of a subgraph, from its configuration. */
export interface RollupSettings {
  readonly intervalMs: number;
  /** See {@link RollupJobOptions.hotWindowMs}. */
  readonly hotWindowMs?: number;
  readonly retentionDays: RollupRetention;
  readonly rawRetentionDays: number;
}

/**
 * The settings a department's `createServer` gives its job and trend
 * loaders: `config.rollups` and `config.readings`, or the defaults when a
 * test builds the server without a configuration.
 */
export function rollupSettings(
  config?: Pick<Config, 'readings'> & Partial<Pick<Config, 'rollups'>>,
): RollupSettings {
  return {
    intervalMs: config?.rollups?.intervalMs ?? 2000,
    retentionDays:
      config?.rollups?.retentionDays ?? DEFAULT_ROLLUP_RETENTION_DAYS,
    rawRetentionDays:
      config?.readings.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS,
  };
}
