/**
 * The writer of the audit trail: an append-only, hash-chained log in the
 * governance database (collection `audit_events`), one chain per gateway
 * replica.
 *
 * Group commit: `record()` queues the event; one write is under way at a
 * time, and every event that arrives meanwhile is chained, in arrival order,
 * onto the head and written with the next single `insertMany`. So the cost
 * per request is about one database round trip, whatever the concurrency.
 *
 * A unique index on `{ chainId, seq }` means two writers of one chain (two
 * replicas misconfigured with the same `AUDIT_CHAIN_ID`) cannot fork it
 * silently: the loser gets a duplicate-key error, reloads the head and
 * chains its events after the winner's.
 */
import { counter, gauge, histogram } from '../../runtime/metrics.js';
import type { Db, Collection, WriteConcernSettings } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Logger } from '../../runtime/logger.js';
import {
  AUDIT_EVENTS_COLLECTION,
  GENESIS_HASH,
  type AuditEvent,
  type AuditEventInput,
} from './AuditEvent.js';
import { hashAuditEvent } from './hashAuditEvent.js';

const auditWrite = histogram(
  'audit_write_duration_seconds',
  'Time of one audit-trail write (a group commit of one or more events), by outcome.',
  ['outcome'],
);
const auditEvents = counter(
  'audit_events_total',
  'Audit events written to or refused by the audit store, by outcome (written, failed).',
  ['outcome'],
);
// The queue of the trail built last in this process (one per gateway).
let auditBacklogOf: () => number = () => 0;
const auditBacklog = gauge(
  'audit_backlog_events',
  'Audit events queued and not yet written.',
  [],
  function collect() {
    this.set(auditBacklogOf());
  },
);

/** Where the trail is stored: a mongoose connection or a driver `Db`, of the governance database. */
export type AuditStore =
  { readonly connection: Connection } | { readonly db: Db };

/** Options of {@link createAuditTrail}. */
export type AuditTrailOptions = AuditStore & {
  /** The chain this writer appends to (`config.audit.chainId`); one per gateway replica. */
  readonly chainId: string;
  readonly logger: Logger;
  /**
   * How long one write may take before `record()` rejects (the store is then
   * treated as unavailable: fail closed).
   * @default 3000
   */
  readonly writeTimeoutMs?: number;
  /**
   * After a failed write, how long `record()` refuses at once instead of
   * waiting for another timeout; the first call after it probes the store
   * again. Protected requests are then refused fast while the store is down,
   * and served again within this delay once it is back.
   * @default 1000
   */
  readonly retryAfterFailureMs?: number;
  /**
   * Most events written by one `insertMany`.
   * @default 1000
   */
  readonly maxBatchSize?: number;
  /**
   * Write concern of the inserts; `record()` resolves once it is satisfied.
   * @default { w: 'majority', journal: true }
   */
  readonly writeConcern?: WriteConcernSettings;
};

/** The audit trail as the gateway uses it. */
export interface AuditTrail {
  /**
   * Chains and writes one event; resolves once the database acknowledged it
   * with the configured write concern, rejects if it could not be written.
   */
  record(event: AuditEventInput): Promise<void>;
  /** Whether the audit store answers a ping (readiness). */
  ping(): Promise<boolean>;
  /** Waits for queued events to be written, then refuses new ones. Does not close the connection it was given. */
  close(): Promise<void>;
}

interface Pending {
  readonly input: AuditEventInput;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Head {
  seq: number;
  hash: string;
}

const DUPLICATE_KEY = 11000;
// A duplicate key means another writer appended meanwhile; after this many
// consecutive conflicts something is wrong (e.g. two busy writers of one chain).
const MAX_CONFLICT_RETRIES = 5;

/** Creates the audit-trail writer of one chain (see the module comment). */
export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { chainId, logger } = options;
  const writeTimeoutMs = options.writeTimeoutMs ?? 3000;
  const maxBatchSize = options.maxBatchSize ?? 1000;
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 1000;
  const writeConcern = options.writeConcern ?? { w: 'majority', journal: true };
  if (chainId.trim() === '')
    throw new Error('createAuditTrail: chainId must not be empty');

  const database = (): Db => {
    if ('db' in options) return options.db;
    const db = options.connection.db;
    if (!db) throw new Error('the governance database connection is not open');
    return db;
  };
  const collection = (): Collection<AuditEvent> =>
    database().collection<AuditEvent>(AUDIT_EVENTS_COLLECTION);

  const queue: Pending[] = [];
  auditBacklog.set(0);
  auditBacklogOf = () => queue.length;
  let head: Head | null = null;
  let indexed = false;
  let writing: Promise<void> | null = null;
  let closed = false;
  // When the last write failed (null while the store answers): record()
  // fails fast until retryAfterFailureMs has passed, then one call probes.
  let failedAt: number | null = null;

  const withTimeout = async <T>(
    promise: Promise<T>,
    what: string,
  ): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `audit store: ${what} timed out after ${writeTimeoutMs} ms`,
            ),
          ),
        writeTimeoutMs,
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const ensureIndex = async (): Promise<void> => {
    if (indexed) return;
    await withTimeout(
      collection().createIndex(
        { chainId: 1, seq: 1 },
        { unique: true, name: 'chainId_seq_unique' },
      ),
      'index creation',
    );
    indexed = true;
  };

  const loadHead = async (): Promise<Head> => {
    const last = await withTimeout(
      collection().findOne(
        { chainId },
        { sort: { seq: -1 }, projection: { _id: 0, seq: 1, hash: 1 } },
      ),
      'reading the chain head',
    );
    return last
      ? { seq: last.seq, hash: last.hash }
      : { seq: 0, hash: GENESIS_HASH };
  };

  const chain = (
    inputs: readonly AuditEventInput[],
    from: Head,
  ): AuditEvent[] => {
    let prev = from;
    return inputs.map((input) => {
      const unsealed = {
        chainId,
        seq: prev.seq + 1,
        at: input.at,
        requestId: input.requestId,
        subject: input.subject ?? null,
        scopes: [...input.scopes],
        purpose: input.purpose ?? null,
        clientName: input.clientName ?? null,
        clientVersion: input.clientVersion ?? null,
        operationName: input.operationName ?? null,
        documentHash: input.documentHash ?? null,
        fields: input.fields.map((field) => ({
          coordinate: field.coordinate,
          rule: field.rule,
          decision: field.decision,
        })),
        records: (input.records ?? []).map((record) => ({
          type: record.type,
          id: record.id,
          subject: record.subject ?? null,
          fields: [...record.fields],
          personalData: record.personalData,
        })),
        subgraphs: [...input.subgraphs],
        outcome: input.outcome,
        errorCodes: [...input.errorCodes],
        durationMs: Number.isFinite(input.durationMs)
          ? Math.round(input.durationMs * 1000) / 1000
          : 0,
        prevHash: prev.hash,
      };
      const event: AuditEvent = { ...unsealed, hash: hashAuditEvent(unsealed) };
      prev = { seq: event.seq, hash: event.hash };
      return event;
    });
  };

  // Writes one batch, resolving or rejecting each of its pending records.
  const writeBatch = async (batch: Pending[]): Promise<void> => {
    let remaining = batch;
    for (let attempt = 0; remaining.length > 0; attempt += 1) {
      await ensureIndex();
      head ??= await loadHead();
      const events = chain(
        remaining.map((pending) => pending.input),
        head,
      );
      try {
        // The driver adds `_id` to the documents it is given: hand it copies.
        await withTimeout(
          collection().insertMany(
            events.map((event) => ({ ...event })),
            { ordered: true, writeConcern },
          ),
          'writing events',
        );
        const last = events.at(-1);
        if (last) head = { seq: last.seq, hash: last.hash };
        failedAt = null;
        for (const pending of remaining) pending.resolve();
        return;
      } catch (error) {
        head = null;
        if (!isDuplicateKey(error) || attempt >= MAX_CONFLICT_RETRIES)
          throw error;
        // Another writer appended to this chain meanwhile. An ordered insert
        // may have written a prefix of ours first: find which of our events
        // are stored (same seq, same hash), settle them, re-chain the rest.
        const stored = await withTimeout(
          collection()
            .find(
              { chainId, seq: { $in: events.map((event) => event.seq) } },
              { projection: { _id: 0, seq: 1, hash: 1 } },
            )
            .toArray(),
          'reading conflicting events',
        );
        const storedHashes = new Set(
          stored.map((doc) => `${doc.seq}:${doc.hash}`),
        );
        const next: Pending[] = [];
        remaining.forEach((pending, index) => {
          const event = events[index];
          if (event && storedHashes.has(`${event.seq}:${event.hash}`))
            pending.resolve();
          else next.push(pending);
        });
        logger.warn(
          {
            chainId,
            written: remaining.length - next.length,
            retrying: next.length,
          },
          'audit chain appended to by another writer; AUDIT_CHAIN_ID must be unique per gateway replica',
        );
        remaining = next;
      }
    }
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatchSize);
      const end = auditWrite.startTimer();
      try {
        await writeBatch(batch);
        end({ outcome: 'ok' });
        auditEvents.inc({ outcome: 'written' }, batch.length);
      } catch (error) {
        end({ outcome: 'failed' });
        auditEvents.inc({ outcome: 'failed' }, batch.length);
        const reason =
          error instanceof Error ? error : new Error(String(error));
        failedAt = Date.now();
        logger.error(
          { chainId, events: batch.length, err: reason.message },
          'audit events could not be written',
        );
        for (const pending of batch) pending.reject(reason);
      }
    }
  };

  const startDrain = (): void => {
    if (writing) return;
    writing = drain().finally(() => {
      writing = null;
      // Events queued between the last check and the end of the loop.
      if (queue.length > 0) startDrain();
    });
  };

  return {
    record(event) {
      if (closed) return Promise.reject(new Error('the audit trail is closed'));
      if (failedAt !== null) {
        const since = Date.now() - failedAt;
        if (since < retryAfterFailureMs) {
          return Promise.reject(
            new Error(
              `audit store unavailable: the last write failed ${since} ms ago; retrying after ${retryAfterFailureMs} ms`,
            ),
          );
        }
        // This call probes the store; the calls that follow wait for it.
        failedAt = Date.now();
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ input: event, resolve, reject });
        startDrain();
      });
    },
    async ping() {
      try {
        await withTimeout(database().command({ ping: 1 }), 'ping');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      closed = true;
      while (writing) await writing;
    },
  };
}

function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, writeErrors } = error as {
    code?: unknown;
    writeErrors?: unknown;
  };
  if (code === DUPLICATE_KEY) return true;
  const list = Array.isArray(writeErrors)
    ? writeErrors
    : writeErrors
      ? [writeErrors]
      : [];
  return list.some(
    (writeError: unknown) =>
      (writeError as { code?: unknown } | null)?.code === DUPLICATE_KEY,
  );
}
