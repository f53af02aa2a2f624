/**
 * The quarantine: every rejected record is kept, with its raw payload, the
 * reason, its source and when it came, in the owning department's own
 * database (collection `ingest_quarantine`), so staff can see what was
 * refused and replay it once fixed (docs/ingestion.md, "Quarantine").
 * The same payload from the same source is kept once (its `attempts` count
 * goes up), so a device retrying a bad message does not flood it.
 */
import { createHash } from 'node:crypto';
import type { NgsiFormat } from './ngsiEntity.js';
import type { RecordSource, RejectionReason } from './quality.js';

/** The collection of each department's database that holds its quarantine. */
export const QUARANTINE_COLLECTION = 'ingest_quarantine';

/** A rejected record, as the pipeline hands it over. */
export interface QuarantineEntry {
  readonly entityId: string | null;
  readonly entityType: string | null;
  readonly reason: RejectionReason;
  readonly detail: string;
  readonly source: RecordSource;
  readonly receivedAt: Date;
  readonly format: NgsiFormat;
  readonly keyValues: boolean;
  /** The entity exactly as received (parsed JSON). */
  readonly payload: unknown;
}

/** Whether a quarantined record still waits, was replayed into the graph, or was given up. */
export type QuarantineStatus = 'open' | 'replayed';

/** A quarantined record as stored. */
export interface QuarantineDoc {
  /** sha256 of the source and the payload: one document per distinct rejected payload. */
  _id: string;
  entityId: string | null;
  entityType: string | null;
  reason: RejectionReason;
  detail: string;
  source: RecordSource;
  format: NgsiFormat;
  keyValues: boolean;
  /** The payload as JSON text (kept byte for byte; field names a database would refuse are safe). */
  payload: string;
  firstReceivedAt: Date;
  lastReceivedAt: Date;
  /** How many times this payload was received and rejected. */
  attempts: number;
  status: QuarantineStatus;
  /** When it was replayed successfully. */
  replayedAt: Date | null;
}

/**
 * The mongoose definition of {@link QuarantineDoc} (a plain object, so lib
 * needs no mongoose import); lib/subgraph-kit/models/QuarantinedRecord.ts
 * makes it the one schema every department compiles on its own connection.
 */
export const quarantineDocDefinition = {
  _id: { type: String, required: true },
  entityId: { type: String, default: null },
  entityType: { type: String, default: null },
  reason: { type: String, required: true },
  detail: { type: String, required: true },
  source: {
    kind: { type: String, required: true },
    id: { type: String, required: true },
  },
  format: { type: String, required: true },
  keyValues: { type: Boolean, default: false },
  payload: { type: String, required: true },
  firstReceivedAt: { type: Date, required: true },
  lastReceivedAt: { type: Date, required: true, index: true },
  attempts: { type: Number, required: true },
  status: { type: String, required: true, index: true },
  replayedAt: { type: Date, default: null },
} as const;

/** Where the pipeline puts what it rejects. */
export interface Quarantine {
  put(entries: readonly QuarantineEntry[]): Promise<void>;
}

/** The part of a driver collection the quarantine writes through. */
export interface QuarantineCollection {
  bulkWrite(
    operations: readonly object[],
    options: { ordered: boolean },
  ): Promise<unknown>;
}

/** The id of a quarantined payload. */
export function quarantineId(
  source: RecordSource,
  payloadJson: string,
): string {
  return createHash('sha256')
    .update(`${source.kind}\u0000${source.id}\u0000${payloadJson}`)
    .digest('hex');
}

/** A quarantine over a department's `ingest_quarantine` collection. */
export function createQuarantine(collection: QuarantineCollection): Quarantine {
  return {
    async put(entries) {
      if (entries.length === 0) return;
      const operations = entries.map((entry) => {
        const payload = JSON.stringify(entry.payload) ?? 'null';
        return {
          updateOne: {
            filter: { _id: quarantineId(entry.source, payload) },
            update: {
              $setOnInsert: {
                entityId: entry.entityId,
                entityType: entry.entityType,
                source: entry.source,
                format: entry.format,
                keyValues: entry.keyValues,
                payload,
                firstReceivedAt: entry.receivedAt,
                replayedAt: null,
              },
              $set: {
                reason: entry.reason,
                detail: entry.detail,
                lastReceivedAt: entry.receivedAt,
                status: 'open',
              },
              $inc: { attempts: 1 },
            },
            upsert: true,
          },
        };
      });
      await collection.bulkWrite(operations, { ordered: false });
    },
  };
}
