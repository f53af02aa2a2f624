/**
 * Group commit for a department's small per-batch writes (the sensors'
 * current state, the rollup markers, the `ingest_stats` counts;
 * docs/ingestion.md, "Throughput"). Batches are stored concurrently (the
 * gateway hands over several at once): while one write is in flight, what
 * the next batches want written is queued, and goes to the database in one
 * write once the first is answered, merged (`merge`: a device's newest
 * state, a bucket's summed counts), so the database decodes, applies and
 * journals one command where it did one per batch.
 *
 * Nothing is acknowledged early: each caller's promise settles with the
 * write that carried its items (and rejects if that write fails, for every
 * caller in it: they retry, and the writes are idempotent or counted once
 * per batch as before). With nothing in flight a call writes at once, so a
 * lone batch waits no longer than before.
 */

/** Options of {@link coalesceWrites}. */
export interface CoalesceWritesOptions<T> {
  /** Writes `items` (everything queued since the previous write) in one command. */
  readonly write: (items: readonly T[]) => Promise<unknown>;
  /**
   * Merges the queued items before they are written (e.g. one per key).
   * @default the items as queued
   */
  readonly merge?: (items: readonly T[]) => readonly T[];
}

/**
 * A function that writes its items together with those of concurrent
 * callers (see the module comment); it resolves once they are written.
 */
export type CoalescedWrite<T> = (items: readonly T[]) => Promise<void>;

/** Makes a {@link CoalescedWrite} over `options.write`. */
export function coalesceWrites<T>(
  options: CoalesceWritesOptions<T>,
): CoalescedWrite<T> {
  let inFlight = false;
  let queue: T[] = [];
  let waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  const flush = async () => {
    inFlight = true;
    while (waiters.length > 0) {
      const items = queue;
      const settle = waiters;
      queue = [];
      waiters = [];
      try {
        // Inside the try: a merge or write that throws synchronously fails
        // its callers, not the loop.
        await options.write(options.merge ? options.merge(items) : items);
        for (const w of settle) w.resolve();
      } catch (error) {
        for (const w of settle) w.reject(error);
      }
    }
    inFlight = false;
  };

  return (items) => {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      for (const item of items) queue.push(item);
      waiters.push({ resolve, reject });
      if (!inFlight) void flush();
    });
  };
}
