/**
 * The dirty-window ledger of the rollups: `rollup_pending`, one marker per
 * reading collection and 15-minute window whose readings changed since its
 * rollups were computed. Ingest marks a window after storing its readings
 * ({@link markDirtyWindows}); the job (rollupJob.ts) recomputes the window and
 * then deletes the marker only if nobody marked it again meanwhile
 * ({@link clearMarkers}: compare-and-delete on `markedAt` and `marks`), so a
 * reading stored during a recompute is never left out.
 */
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { ROLLUP_JOB_COMMENT, type RollupSeries } from './rollups.js';
import { windowsOf } from './rollupWindows.js';

/** The ledger's collection, in the department's own database. */
export const ROLLUP_PENDING_COLLECTION = 'rollup_pending';

/** One marker. */
export interface RollupPendingDoc {
  /** `<reading collection>|<window start ISO>`. */
  _id: string;
  /** The reading collection. */
  collection: string;
  /** Start of the 15-minute window. */
  window: Date;
  /** When it was last marked. */
  markedAt: Date;
  /** How many times it was marked: two marks in the same millisecond still differ. */
  marks: number;
}

/** The ledger through the department's connection. */
export function pendingCollection(
  connection: Connection,
): Collection<RollupPendingDoc> {
  return connection.collection<RollupPendingDoc>(
    ROLLUP_PENDING_COLLECTION,
  ) as unknown as Collection<RollupPendingDoc>;
}

/** Creates the ledger's index (a collection's markers, oldest window first). */
export async function ensurePendingIndexes(
  connection: Connection,
): Promise<void> {
  await pendingCollection(connection).createIndex({ collection: 1, window: 1 });
}

/**
 * Marks the 15-minute windows holding `times` (the `observedAt` of readings
 * just stored in `readings`) for recomputation: one upsert per distinct
 * window. Call it after the readings are stored, never before. Resolves to
 * the number of windows marked.
 */
export async function markDirtyWindows(
  connection: Connection,
  readings: string,
  times: Iterable<Date>,
  now: Date = new Date(),
): Promise<number> {
  const windows = windowsOf(times);
  if (windows.length === 0) return 0;
  await pendingCollection(connection).bulkWrite(
    windows.map((window): AnyBulkWriteOperation<RollupPendingDoc> => ({
      updateOne: {
        filter: { _id: `${readings}|${window.toISOString()}` },
        update: {
          $set: { collection: readings, window, markedAt: now },
          $inc: { marks: 1 },
        },
        upsert: true,
      },
    })),
    { ordered: false },
  );
  return windows.length;
}

/** The oldest `limit` markers of a reading collection. */
export function findMarkers(
  connection: Connection,
  readings: string,
  limit: number,
): Promise<RollupPendingDoc[]> {
  return pendingCollection(connection)
    .find({ collection: readings }, { comment: ROLLUP_JOB_COMMENT })
    .sort({ window: 1 })
    .limit(limit)
    .toArray();
}

/**
 * Deletes each marker only if it is still as it was read (same `markedAt`
 * and `marks`): a window marked again during its recompute stays marked.
 * Resolves to the number deleted.
 */
export async function clearMarkers(
  connection: Connection,
  markers: readonly RollupPendingDoc[],
): Promise<number> {
  if (markers.length === 0) return 0;
  const result = await pendingCollection(connection).bulkWrite(
    markers.map((m): AnyBulkWriteOperation<RollupPendingDoc> => ({
      deleteOne: {
        filter: { _id: m._id, markedAt: m.markedAt, marks: m.marks },
      },
    })),
    { ordered: false, comment: ROLLUP_JOB_COMMENT },
  );
  return result.deletedCount;
}

/**
 * Marks the windows of readings a seed stored (written without ingest):
 * the rollup job then computes them, at start as its catch-up. Cheap (one
 * marker per window); `rebuildRollups` (recomputeRollups.ts) computes them
 * at once instead.
 */
export async function markSeededWindows(
  connection: Connection,
  seeded: readonly (readonly [RollupSeries, readonly { observedAt: Date }[]])[],
): Promise<void> {
  for (const [series, readings] of seeded)
    await markDirtyWindows(
      connection,
      series.readings,
      readings.map((r) => r.observedAt),
    );
}
