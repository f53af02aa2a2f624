/**
 * A department's outbox: the {@link EventPublisher} every subgraph gets in
 * its deps writes events to the `outbox` collection of the department's own
 * database, and a relay in the same process moves them to the broker and
 * marks them delivered. A broker outage only makes the outbox grow; a
 * restart resumes with what is still undelivered (at-least-once: an event
 * may reach the broker twice, never zero times; consumers recognise the
 * repeat by its id). See docs/live.md, "Delivery guarantees".
 *
 * Written here rather than taken from a library: the outbox pattern is a
 * collection and a loop; the libraries that offer it (e.g. for Kafka
 * connectors) bring a framework and a broker this project does not use.
 */
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { CityEvent, EventPublisher } from '../runtime/cityEvents.js';
import type { EventBroker, EventSource } from '../runtime/eventBroker.js';
import type { Logger } from '../runtime/logger.js';
import { sweepPendingEvents } from './pendingEvents.js';

/** The collection, in the department's own database. */
export const OUTBOX_COLLECTION = 'outbox';

/** One stored event. */
export interface OutboxDoc {
  /** The event id: a second publish of the same event finds it and writes nothing. */
  _id: string;
  event: Omit<CityEvent, 'id'>;
  /** Publication order (microseconds since the epoch, strictly increasing per process). */
  order: number;
  /** When the relay handed it to the broker; null while pending. */
  deliveredAt: Date | null;
}

/** How long delivered events stay in the outbox (for inspection) before the TTL index removes them. */
export const OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600;

function outboxOf(connection: Connection): Collection<OutboxDoc> {
  return connection.collection<OutboxDoc>(OUTBOX_COLLECTION);
}

/** Creates the outbox's indexes (pending events in order; removal after delivery). */
export async function ensureOutboxIndexes(
  connection: Connection,
): Promise<void> {
  const outbox = outboxOf(connection);
  await outbox.createIndex({ deliveredAt: 1, order: 1 });
  await outbox.createIndex(
    { deliveredAt: 1 },
    {
      name: 'delivered_ttl',
      expireAfterSeconds: OUTBOX_RETENTION_SECONDS,
    },
  );
}

/** Options of {@link createOutboxPublisher}. */
export interface OutboxPublisherOptions {
  readonly connection: Connection;
  /** Called after each durable write (the relay's `wake`), so events leave at once rather than at the next poll. */
  readonly onPublished?: () => void;
}

/**
 * The department's {@link EventPublisher}: `publish` resolves once the
 * events are in the outbox. The same event id published twice is stored
 * once (an upsert that only inserts).
 */
export function createOutboxPublisher(
  options: OutboxPublisherOptions,
): EventPublisher {
  const outbox = outboxOf(options.connection);
  let lastOrder = 0;
  const nextOrder = () => {
    lastOrder = Math.max(lastOrder + 1, Date.now() * 1000);
    return lastOrder;
  };
  return {
    async publish(events) {
      if (events.length === 0) return;
      const operations: AnyBulkWriteOperation<OutboxDoc>[] = events.map(
        ({ id, ...event }) => ({
          updateOne: {
            filter: { _id: id },
            update: {
              $setOnInsert: { event, order: nextOrder(), deliveredAt: null },
            },
            upsert: true,
          },
        }),
      );
      await outbox.bulkWrite(operations, { ordered: true });
      options.onPublished?.();
    },
  };
}

/** Options of {@link startOutboxRelay}. */
export interface OutboxRelayOptions {
  readonly connection: Connection;
  /** Where events go; null when no broker is configured (events then wait in the outbox). */
  readonly broker: EventBroker | null;
  /** The stream the events go to (the department's name). */
  readonly source: EventSource;
  readonly logger: Logger;
  /**
   * How often the outbox is checked when nothing woke the relay (events
   * written by another replica, or left by a previous process).
   * @default 1000
   */
  readonly pollIntervalMs?: number;
  /**
   * Events moved per broker round trip.
   * @default 500
   */
  readonly batchSize?: number;
  /**
   * Longest wait between retries while the broker or the database fails.
   * @default 5000
   */
  readonly maxBackoffMs?: number;
  /**
   * The collections whose documents record their events before the outbox
   * does (lib/subgraph-kit/pendingEvents.ts): swept into the outbox, so a
   * change whose outbox write never happened still gets its event.
   * @default []
   */
  readonly pendingEventCollections?: readonly string[];
  /**
   * How often those collections are swept.
   * @default 5000
   */
  readonly sweepIntervalMs?: number;
  /**
   * How old a pending event must be to be swept (a request between its two writes finishes its own).
   * @default 5000
   */
  readonly sweepMinAgeMs?: number;
}

/** A running relay. */
export interface OutboxRelay {
  /** Looks at the outbox now (the publisher calls it after each write). */
  wake(): void;
  /**
   * Sweeps the events left on documents into the outbox, then moves every
   * pending event it can; resolves once the outbox is empty or a move failed
   * (tests, shutdown).
   */
  flush(): Promise<void>;
  /** Events still waiting in the outbox. */
  pending(): Promise<number>;
  /** Stops after the move under way. */
  stop(): Promise<void>;
}

/**
 * Starts the relay of a department's outbox: pending events, oldest first,
 * are appended to the broker, then marked delivered. If the process dies
 * between the two, those events are appended again on restart
 * (at-least-once).
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const outbox = outboxOf(options.connection);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const { broker, logger, source } = options;
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let failures = 0;
  let lastFailure = '';
  const pendingCollections = options.pendingEventCollections ?? [];
  const sweepIntervalMs = options.sweepIntervalMs ?? 5000;
  let lastSweep = 0;
  const sweeper = createOutboxPublisher({ connection: options.connection });

  /** Events left on changed documents (a crash between the two writes) go to the outbox first. */
  const sweep = async (force: boolean) => {
    if (pendingCollections.length === 0) return;
    if (!force && Date.now() - lastSweep < sweepIntervalMs) return;
    lastSweep = Date.now();
    const moved = await sweepPendingEvents({
      connection: options.connection,
      collections: pendingCollections,
      publisher: sweeper,
      minAgeMs: options.sweepMinAgeMs ?? 5000,
    });
    if (moved > 0)
      logger.warn(
        { source, events: moved },
        'events recorded on changed documents but missing from the outbox: swept into it',
      );
  };

  /** Moves one batch; the number of events moved. */
  const moveBatch = async (): Promise<number> => {
    if (!broker) return 0;
    const batch = await outbox
      .find({ deliveredAt: null })
      .sort({ order: 1 })
      .limit(batchSize)
      .toArray();
    if (batch.length === 0) return 0;
    await broker.append(
      source,
      batch.map((doc) => ({ ...doc.event, id: doc._id })),
    );
    await outbox.updateMany(
      { _id: { $in: batch.map((doc) => doc._id) } },
      { $set: { deliveredAt: new Date() } },
    );
    return batch.length;
  };

  /** Moves batches until the outbox is empty; throws on the first failure. */
  const drain = async () => {
    while (!stopped && (await moveBatch()) === batchSize) {
      // a full batch: more may wait
    }
  };

  let running: Promise<void> = Promise.resolve();
  const runOnce = (forceSweep = false) => {
    running = running.then(async () => {
      try {
        await sweep(forceSweep);
        await drain();
        if (failures > 0)
          logger.info({ source }, 'event outbox relaying again');
        failures = 0;
        lastFailure = '';
      } catch (error) {
        failures += 1;
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastFailure)
          logger.warn(
            { source, err: message },
            'event outbox relay failed; events stay in the outbox and are retried',
          );
        lastFailure = message;
      }
    });
    return running;
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const loop = async () => {
    if (!broker) {
      logger.warn(
        { source },
        'no event broker configured (REDIS_URL): events are kept in the outbox until one is',
      );
      return;
    }
    while (!stopped) {
      await runOnce();
      if (stopped) break;
      const backoff =
        failures === 0
          ? pollIntervalMs
          : Math.min(maxBackoffMs, 200 * 2 ** Math.min(failures, 10));
      await wait(backoff);
    }
  };
  const looping = loop();

  return {
    wake() {
      // While failing, wait for the backoff rather than hammer the broker.
      if (failures > 0) return;
      if (wakeUp) wakeUp();
      else woken = true;
    },
    flush: () => runOnce(true),
    pending: () => outbox.countDocuments({ deliveredAt: null }),
    async stop() {
      stopped = true;
      wakeUp?.();
      await looping;
      await running;
    },
  };
}
