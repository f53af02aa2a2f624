/**
 * Not public: the gateway's one reader of the departments' events
 * (docs/live.md, "One reader of the broker"). One follower of the broker,
 * so one Redis read per batch of events and one JSON parse per event, handed
 * to every consumer in the gateway: the response cache's invalidation and
 * the live hub. Before, each followed the broker on its own: two reads and
 * two parses of every event (docs/performance.md, issue 13).
 *
 * A batch goes to the consumers in two phases, each awaited before the next
 * read (the broker's back-pressure): first every `invalidate` consumer, then
 * every `deliver` one. So a subscription resolved for an event never reads a
 * cached answer that the same event made stale: the cache has dropped it
 * before the hub hands the event on.
 *
 * A consumer that throws or rejects is logged and does not stop the others
 * nor the reading; the broker's adapter already skips unreadable entries and
 * reconnects across broker restarts (lib/runtime/eventBroker.ts).
 *
 * Nobody wanting events (no consumer, or only the live hub with no
 * subscription open) stops the reading itself: the follower keeps its
 * positions at the streams' ends and reads again once a consumer wants
 * events, from about then on.
 */
import type {
  BrokerEntry,
  EventBroker,
} from '../../../lib/runtime/eventBroker.js';
import { DEPARTMENTS } from '../../../lib/runtime/config.js';
import { describeError } from '../../../lib/runtime/errors.js';
import type { Logger } from '../../../lib/runtime/logger.js';

/**
 * When a consumer gets a batch: `invalidate` consumers all get it (and are
 * awaited) before any `deliver` consumer does.
 */
export type DepartmentEventsPhase = 'invalidate' | 'deliver';

/** One consumer of the departments' events. */
export interface DepartmentEventsConsumer {
  /** Names the consumer in logs. */
  readonly name: string;
  readonly phase: DepartmentEventsPhase;
  /** Gets each batch, in stream order per department; awaited before the next read. */
  readonly onEntries: (entries: readonly BrokerEntry[]) => void | Promise<void>;
  /**
   * Whether it wants events now (the live hub: only with a subscription
   * open). While no consumer does, the broker is not read: no entry is
   * fetched, parsed or handed on (lib/runtime/eventBroker.ts `wanted`).
   * @default () => true
   */
  readonly wanted?: () => boolean;
}

/** The shared follower. */
export interface DepartmentEvents {
  /** Resolves once the follower reads the broker (its start positions are fixed). */
  readonly ready: Promise<void>;
  /** Hands every batch read from now on to `consumer`; returns the function that stops it. */
  consume(consumer: DepartmentEventsConsumer): () => void;
  /** Consumers now. */
  readonly consumers: number;
  /** Stops reading the broker; resolves once the last batch has been handed on. */
  stop(): Promise<void>;
}

/** Options of {@link followDepartmentEvents}. */
export interface FollowDepartmentEventsOptions {
  readonly broker: EventBroker;
  readonly logger: Logger;
  /**
   * The departments followed.
   * @default DEPARTMENTS
   */
  readonly sources?: readonly string[];
}

/** Starts following the departments' events for the gateway's consumers. */
export function followDepartmentEvents(
  options: FollowDepartmentEventsOptions,
): DepartmentEvents {
  const { logger } = options;
  const invalidators = new Set<DepartmentEventsConsumer>();
  const deliverers = new Set<DepartmentEventsConsumer>();

  const handOn = async (
    consumers: ReadonlySet<DepartmentEventsConsumer>,
    entries: readonly BrokerEntry[],
  ) => {
    const running: Promise<void>[] = [];
    // A copy: a consumer may add or remove consumers while it runs.
    for (const consumer of [...consumers]) {
      try {
        const result = consumer.onEntries(entries);
        if (result)
          running.push(
            result.catch((error: unknown) => failed(consumer, error)),
          );
      } catch (error) {
        failed(consumer, error);
      }
    }
    if (running.length > 0) await Promise.all(running);
  };
  const failed = (consumer: DepartmentEventsConsumer, error: unknown) => {
    logger.error(
      { consumer: consumer.name, err: describeError(error) },
      'department events: a consumer failed on a batch',
    );
  };

  const wants = (consumers: ReadonlySet<DepartmentEventsConsumer>) => {
    for (const consumer of consumers)
      if (!consumer.wanted || consumer.wanted()) return true;
    return false;
  };
  const follower = options.broker.follow({
    sources: options.sources ?? DEPARTMENTS,
    // With no subscription open and the response cache off, a batch of
    // 5,000 readings a second was read from Redis and parsed for nobody
    // (about a tenth of the gateway's CPU during ingestion).
    wanted: () => wants(invalidators) || wants(deliverers),
    onEntries: async (entries) => {
      if (invalidators.size > 0) await handOn(invalidators, entries);
      if (deliverers.size > 0) await handOn(deliverers, entries);
    },
  });

  return {
    ready: follower.ready,
    consume(consumer) {
      const set = consumer.phase === 'invalidate' ? invalidators : deliverers;
      // Each call is a registration of its own, which its function removes.
      const own = { ...consumer };
      set.add(own);
      return () => {
        set.delete(own);
      };
    },
    get consumers() {
      return invalidators.size + deliverers.size;
    },
    stop: () => follower.stop(),
  };
}
