/**
 * A department's outbox: the {@link EventPublisher} every subgraph gets in
 * its deps writes events to the `outbox` collection of the department's own
 * database, and a relay in the same process moves them to the broker and
 * removes them. A broker outage only makes the outbox grow; a restart
 * resumes with what is still in it (at-least-once: an event may reach the
 * broker twice, never zero times; consumers recognise the repeat by its id).
 * See docs/live.md, "Delivery guarantees".
 *
 * While the broker takes events and the outbox holds nothing older, a
 * publish hands its events straight to the broker through the relay
 * (`direct`, the relay's `sendNow`, in order with what the relay sends) and
 * writes nothing: the publisher's promise holds either way, since the event
 * is kept by the broker or by the outbox before `publish` resolves. What the
 * broker does not take goes to the outbox: each event is written once and
 * removed once (the publisher inserts, a duplicate id, code 11000, being an
 * event the outbox holds already; the relay deletes what the broker has,
 * rather than rewriting every entry with a delivered mark). The events a
 * publish stored are handed to the relay in memory too, so while nothing
 * older waits it sends them without reading them back; the poll reads the
 * collection for what other replicas or a previous process left.
 *
 * Written here rather than taken from a library: the outbox pattern is a
 * collection and a loop; the libraries that offer it (e.g. for Kafka
 * connectors) bring a framework and a broker this project does not use.
 */
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { CityEvent, EventPublisher } from '../runtime/cityEvents.js';
import type { EventBroker, EventSource } from '../runtime/eventBroker.js';
import type { Logger } from '../runtime/logger.js';
import { sweepPendingEvents } from './pendingEvents.js';
import { DUPLICATE_KEY, writeErrorsOf } from '../runtime/writeErrors.js';

/** The collection, in the department's own database. */
export const OUTBOX_COLLECTION = 'outbox';

/** One stored event (in the outbox until the broker has it). */
export interface OutboxDoc {
  /** The event id: a second publish of the same event while it waits finds it and writes nothing. */
  _id: string;
  event: Omit<CityEvent, 'id'>;
  /** Publication order (microseconds since the epoch, strictly increasing per process). */
  order: number;
}

function outboxOf(connection: Connection): Collection<OutboxDoc> {
  return connection.collection<OutboxDoc>(OUTBOX_COLLECTION);
}

/**
 * Creates the outbox's index (waiting events in order). An outbox from before
 * delivered events were removed holds them with a `deliveredAt` date, and an
 * index and a TTL index on it: those go, so the relay does not send them again
 * and inserts do not keep the indexes up to date.
 */
export async function ensureOutboxIndexes(
  connection: Connection,
): Promise<void> {
  const outbox = outboxOf(connection);
  await outbox.createIndex({ order: 1 });
  const indexes = await outbox.indexes().catch(() => []);
  for (const index of indexes)
    if (index.name !== undefined && 'deliveredAt' in index.key)
      await outbox.dropIndex(index.name);
  if (indexes.some((index) => 'deliveredAt' in index.key))
    await outbox.deleteMany({ deliveredAt: { $type: 'date' } });
}

/** Events a publish stored, handed to the relay (lib/subgraph-kit/eventOutbox.ts `wake`). */
export type StoredOutboxDocs = readonly OutboxDoc[];

/** Options of {@link createOutboxPublisher}. */
export interface OutboxPublisherOptions {
  readonly connection: Connection;
  /**
   * Called after each durable write (the relay's `wake`) with the events it
   * stored (not those the outbox held already), so they leave at once rather
   * than at the next poll.
   */
  readonly onPublished?: (stored: StoredOutboxDocs) => void;
  /**
   * Hands events straight to the broker (the relay's `sendNow`), resolving
   * true once the broker has them all and false when it did not take them
   * (the outbox then gets them): `publish` writes the outbox only for what
   * could not go at once.
   */
  readonly direct?: (events: readonly CityEvent[]) => Promise<boolean>;
}

/**
 * The department's {@link EventPublisher}: `publish` resolves once the
 * events are in the outbox. The same event id published again while the
 * outbox holds it is stored once (an unordered insert whose duplicate-key
 * errors are events already there); once the broker has it, a second publish
 * sends it again (consumers drop repeats by id).
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
      // Durable once the broker has them as much as once the outbox has
      // them; the outbox is for when the broker cannot take them now.
      if (options.direct && (await options.direct(events))) return;
      // One document per id, the first publication of it in this call.
      const byId = new Map<string, OutboxDoc>();
      for (const { id, ...event } of events)
        if (!byId.has(id)) byId.set(id, { _id: id, event, order: nextOrder() });
      const docs = [...byId.values()];
      let stored: readonly OutboxDoc[] = docs;
      try {
        await outbox.insertMany(docs, { ordered: false });
      } catch (error) {
        const errors = writeErrorsOf(error);
        if (!errors || errors.some((e) => e.code !== DUPLICATE_KEY))
          throw error;
        const held = new Set(errors.map((e) => e.index));
        stored = docs.filter((_, i) => !held.has(i));
      }
      options.onPublished?.(stored);
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

/** Events handed over in memory at most (beyond, the relay reads them from the outbox). */
const MAX_FRESH = 20_000;

/** A running relay. */
export interface OutboxRelay {
  /**
   * Looks at the outbox now (the publisher calls it after each write, with
   * the events it stored: sent from memory while nothing older waits).
   */
  wake(stored?: StoredOutboxDocs): void;
  /**
   * Appends `events` to the broker now, in order with what the relay sends,
   * if nothing older waits in the outbox and the broker answers; resolves
   * to whether it did (the publisher's `direct`). A failure is not thrown:
   * the caller writes the outbox, and the relay reads it from then on.
   */
  sendNow(events: readonly CityEvent[]): Promise<boolean>;
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
 * are appended to the broker, then removed from the outbox. If the process
 * dies between the two, those events are appended again on restart
 * (at-least-once).
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const outbox = outboxOf(options.connection);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const { broker, logger, source } = options;
  let stopped = false;
  let wakeUp: ((byWake: boolean) => void) | null = null;
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

  // Events this process's publisher stored, by id, in publication order:
  // sent without reading them back while `clean` (the last read of the
  // outbox found nothing more, and no move failed since), since nothing
  // older can then be waiting. Otherwise the outbox is read in order and
  // these are only dropped once sent.
  const fresh = new Map<string, OutboxDoc>();
  let clean = false;

  /** Appends `docs` to the broker, then removes them from the outbox. */
  const send = async (docs: readonly OutboxDoc[]) => {
    if (!broker || docs.length === 0) return;
    await broker.append(
      source,
      docs.map((doc) => ({ ...doc.event, id: doc._id })),
    );
    const ids = docs.map((doc) => doc._id);
    for (const id of ids) fresh.delete(id);
    await outbox.deleteMany({ _id: { $in: ids } });
  };

  /** Moves one batch read from the outbox; the number of events moved. */
  const moveBatch = async (): Promise<number> => {
    if (!broker) return 0;
    const batch = await outbox
      .find({}, { batchSize })
      .sort({ order: 1 })
      .limit(batchSize)
      .toArray();
    await send(batch);
    return batch.length;
  };

  /** Moves batches until the outbox is empty; throws on the first failure. */
  const drain = async () => {
    // `clean` stays as it was while the outbox is read: a direct send waits
    // on `running` behind this drain, so it cannot overtake what it reads.
    while (!stopped && (await moveBatch()) === batchSize) {
      // a full batch: more may wait
    }
    clean = !stopped;
  };

  /** Sends what the publisher handed over, in batches; throws on the first failure. */
  const sendFresh = async () => {
    while (!stopped && fresh.size > 0) {
      const batch: OutboxDoc[] = [];
      for (const doc of fresh.values()) {
        batch.push(doc);
        if (batch.length === batchSize) break;
      }
      try {
        await send(batch);
      } catch (error) {
        clean = false;
        throw error;
      }
    }
  };

  let running: Promise<void> = Promise.resolve();
  let lastDrain = 0;
  /**
   * One round: the sweep when due, then either the handed-over events (when
   * woken by the publisher, nothing older can wait, and the outbox was read
   * within the poll interval) or a read of the outbox in order.
   */
  const runOnce = (forceSweep = false, fromMemory = false) => {
    running = running.then(async () => {
      try {
        await sweep(forceSweep);
        if (fromMemory && clean && Date.now() - lastDrain < pollIntervalMs)
          await sendFresh();
        else {
          lastDrain = Date.now();
          await drain();
        }
        if (failures > 0)
          logger.info({ source }, 'event outbox relaying again');
        failures = 0;
        lastFailure = '';
      } catch (error) {
        clean = false;
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

  /** Waits `ms`, or less if woken; resolves to whether the publisher woke it. */
  const wait = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (woken) {
        woken = false;
        return resolve(true);
      }
      const timer = setTimeout(() => done(false), ms);
      function done(byWake: boolean) {
        clearTimeout(timer);
        wakeUp = null;
        resolve(byWake);
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
    let byWake = false;
    while (!stopped) {
      await runOnce(false, byWake);
      if (stopped) break;
      const backoff =
        failures === 0
          ? pollIntervalMs
          : Math.min(maxBackoffMs, 200 * 2 ** Math.min(failures, 10));
      byWake = await wait(backoff);
    }
  };
  const looping = loop();

  return {
    wake(stored) {
      if (!broker || stopped) return;
      // While failing, wait for the backoff rather than hammer the broker;
      // what was stored meanwhile is read from the outbox, in order.
      if (failures > 0) {
        clean = false;
        return;
      }
      if (stored === undefined || fresh.size + stored.length > MAX_FRESH)
        clean = false;
      else for (const doc of stored) fresh.set(doc._id, doc);
      if (wakeUp) wakeUp(true);
      else woken = true;
    },
    async sendNow(events) {
      const usable = () =>
        broker !== null &&
        !stopped &&
        clean &&
        failures === 0 &&
        fresh.size === 0;
      if (!usable()) return false;
      let sent = false;
      const mine = running.then(async () => {
        if (!usable() || broker === null) return;
        try {
          await broker.append(source, events);
          sent = true;
        } catch (error) {
          clean = false;
          logger.warn(
            {
              source,
              err: error instanceof Error ? error.message : String(error),
            },
            'event broker refused events: they go to the outbox',
          );
        }
      });
      running = mine;
      await mine;
      return sent;
    },
    flush: () => runOnce(true),
    pending: () => outbox.countDocuments({}),
    async stop() {
      stopped = true;
      wakeUp?.(false);
      await looping;
      await running;
    },
  };
}
