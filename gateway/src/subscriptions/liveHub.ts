/**
 * The subscriptions' side of the gateway's one reader of the broker
 * (followDepartmentEvents.ts, shared with the response cache's
 * invalidation): it hands each department event to the subscriptions that
 * listen on one of its routing keys (filters before anything is executed).
 * An event the broker delivers twice (at-least-once from the outboxes) is
 * handed on once. With no subscription open it does nothing per event, and
 * tells the follower it wants none (which then reads nothing for it).
 */
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import type { Logger } from '../../../lib/runtime/logger.js';
import type { DepartmentEvents } from './followDepartmentEvents.js';

/** A subscription's interest: events of these types on this key. */
export interface LiveRegistration {
  readonly eventTypes: readonly string[];
  readonly key: string;
  readonly deliver: (event: CityEvent) => void;
}

/** The hub. */
export interface LiveHub {
  /** Resolves once the hub reads the broker. */
  readonly ready: Promise<void>;
  /** Starts handing matching events to `registration`; returns the function that stops it. */
  register(registration: LiveRegistration): () => void;
  /** Subscriptions registered now. */
  readonly size: number;
  /** Stops taking events (the shared follower goes on for its other consumers). */
  stop(): Promise<void>;
}

/** Options of {@link createLiveHub}. */
export interface LiveHubOptions {
  /** The gateway's follower of the departments' events. */
  readonly events: DepartmentEvents;
  readonly logger: Logger;
  /** The routing keys of an event (a subscription listens on one key). */
  readonly keysOf: (event: CityEvent) => readonly string[];
  /**
   * How many recent event ids are remembered to drop repeats.
   * @default 20000
   */
  readonly rememberIds?: number;
}

/** Creates the hub and starts taking the follower's events. */
export function createLiveHub(options: LiveHubOptions): LiveHub {
  const rememberIds = options.rememberIds ?? 20_000;
  const routes = new Map<string, Set<LiveRegistration>>();
  const seen = new Set<string>();
  let size = 0;

  const deliver = (event: CityEvent) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    // A Set iterates in insertion order: the first is the oldest.
    if (seen.size > rememberIds)
      seen.delete(seen.values().next().value as string);
    for (const key of keysOf(event)) {
      const registrations = routes.get(`${event.type}|${key}`);
      if (!registrations) continue;
      for (const registration of registrations) {
        try {
          registration.deliver(event);
        } catch (error) {
          options.logger.error(
            {
              eventId: event.id,
              err: error instanceof Error ? error.message : error,
            },
            'live delivery failed',
          );
        }
      }
    }
  };
  const keysOf = options.keysOf;

  const stopTaking = options.events.consume({
    name: 'live hub',
    phase: 'deliver',
    // No subscription open: the follower need not read for the hub at all.
    wanted: () => routes.size > 0,
    onEntries: (entries) => {
      // Nobody listens: no routing keys to compute, and no id to remember
      // (a repeat can only reach a subscription that missed the first one).
      if (routes.size === 0) return;
      for (const entry of entries) deliver(entry.event);
    },
  });

  return {
    ready: options.events.ready,
    register(registration) {
      for (const type of registration.eventTypes) {
        const route = `${type}|${registration.key}`;
        let set = routes.get(route);
        if (!set) routes.set(route, (set = new Set()));
        set.add(registration);
      }
      size += 1;
      let registered = true;
      return () => {
        if (!registered) return;
        registered = false;
        size -= 1;
        for (const type of registration.eventTypes) {
          const route = `${type}|${registration.key}`;
          const set = routes.get(route);
          set?.delete(registration);
          if (set?.size === 0) routes.delete(route);
        }
      };
    },
    get size() {
      return size;
    },
    stop: async () => stopTaking(),
  };
}
