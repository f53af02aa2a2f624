/**
 * A small in-memory buffer in front of the {@link UsageStore}: executions
 * are summed per `{ hour, hash, client }` and written in one bulk upsert
 * every second or once enough distinct entries wait. Recording never waits
 * on the database and never throws; a failed flush is logged and dropped.
 */
import type { Logger } from '../../runtime/logger.js';
import { hourOf, type UsageRecord, type UsageStore } from './usageStore.js';

/** Options of {@link createUsageBuffer}. */
export interface UsageBufferOptions {
  /** Where buffered usage goes. */
  store: Pick<UsageStore, 'record'>;
  logger: Logger;
  /** @default 1000 */
  flushIntervalMs?: number;
  /** Flush as soon as this many distinct entries wait. @default 200 */
  maxEntries?: number;
  /** Entries kept while the database is unreachable before new ones are dropped. @default 10000 */
  maxPendingEntries?: number;
}

/** The buffer's handle. */
export interface UsageBuffer {
  /** Counts one execution. Synchronous, never throws. */
  add(record: UsageRecord): void;
  /** Writes what is buffered now; resolves when written (or failed and logged). */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

interface Entry {
  hash: string;
  name: string | null;
  clientName: string | null;
  clientVersion: string | null;
  coordinates: Set<string>;
  at: Date;
  count: number;
}

/** Creates a usage buffer; its timer does not keep the process alive. */
export function createUsageBuffer(options: UsageBufferOptions): UsageBuffer {
  const maxEntries = options.maxEntries ?? 200;
  const maxPending = options.maxPendingEntries ?? 10_000;
  let entries = new Map<string, Entry>();
  let dropped = 0;
  let flushing: Promise<void> = Promise.resolve();
  let queued = 0;

  const flush = (): Promise<void> => {
    // While the database is slow, batches wait in the buffer (bounded by
    // maxPendingEntries) rather than piling up as queued writes.
    if (entries.size === 0 || queued >= 2) return flushing;
    queued += 1;
    const batch = [...entries.values()];
    entries = new Map();
    // Flushes run one after another so two batches never race on the same bucket.
    flushing = flushing.then(async () => {
      try {
        await options.store.record(
          batch.map((entry) => ({
            ...entry,
            coordinates: [...entry.coordinates].sort(),
          })),
        );
      } catch (error) {
        options.logger.warn(
          { err: error, entries: batch.length },
          'operation usage not recorded',
        );
      } finally {
        queued -= 1;
      }
    });
    return flushing;
  };

  const timer = setInterval(
    () => void flush(),
    options.flushIntervalMs ?? 1000,
  );
  timer.unref();

  return {
    add(record) {
      try {
        const key = `${hourOf(record.at).getTime()}|${record.hash}|${record.clientName ?? ''}|${record.clientVersion ?? ''}`;
        const entry = entries.get(key);
        if (entry) {
          entry.count += record.count ?? 1;
          if (record.at > entry.at) entry.at = record.at;
          for (const coordinate of record.coordinates)
            entry.coordinates.add(coordinate);
          return;
        }
        if (entries.size >= maxPending) {
          if (dropped++ % 1000 === 0)
            options.logger.warn(
              { dropped },
              'operation usage buffer full, dropping',
            );
          return;
        }
        entries.set(key, {
          hash: record.hash,
          name: record.name,
          clientName: record.clientName,
          clientVersion: record.clientVersion,
          coordinates: new Set(record.coordinates),
          at: record.at,
          count: record.count ?? 1,
        });
        if (entries.size >= maxEntries) void flush();
      } catch (error) {
        options.logger.warn({ err: error }, 'operation usage not buffered');
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
