import { describe, expect, it } from 'vitest';
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import {
  createMemoryEventBroker,
  type BrokerEntry,
  type EventBroker,
} from '../../../lib/runtime/eventBroker.js';
import {
  createLogger,
  createSilentLogger,
} from '../../../lib/runtime/logger.js';
import { followDepartmentEvents } from '../../src/subscriptions/followDepartmentEvents.js';

const event = (n: number): CityEvent => ({
  id: `e${n}`,
  department: 'mobility',
  type: 'traffic.changed',
  entity: { type: 'District', id: '13202' },
  district: '13202',
  occurredAt: new Date('2026-12-03T08:00:00.000Z'),
  payload: {},
});

/** A memory broker that counts its followers and the batches they read. */
function countingBroker() {
  const inner = createMemoryEventBroker();
  const counts = { follows: 0, batches: 0 };
  const broker: EventBroker = {
    ...inner,
    follow(options) {
      counts.follows += 1;
      return inner.follow({
        ...options,
        onEntries: (entries) => {
          counts.batches += 1;
          return options.onEntries(entries);
        },
      });
    },
  };
  return { broker, counts, append: inner.append.bind(inner) };
}

/** Resolves on the next turns of the event loop, once deliveries have run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('followDepartmentEvents', () => {
  it('reads the broker once for all its consumers, each batch handed to each once', async () => {
    const { broker, counts, append } = countingBroker();
    const events = followDepartmentEvents({
      broker,
      logger: createSilentLogger(),
    });
    const cache: (readonly BrokerEntry[])[] = [];
    const hub: (readonly BrokerEntry[])[] = [];
    events.consume({
      name: 'cache',
      phase: 'invalidate',
      onEntries: async (entries) => void cache.push(entries),
    });
    events.consume({
      name: 'hub',
      phase: 'deliver',
      onEntries: (entries) => void hub.push(entries),
    });
    await events.ready;
    await append('mobility', [event(1), event(2)]);
    await append('mobility', [event(3)]);
    await settle();
    expect(counts).toEqual({ follows: 1, batches: 2 });
    expect(cache.map((b) => b.map((e) => e.event.id))).toEqual([
      ['e1', 'e2'],
      ['e3'],
    ]);
    // The very same entries: parsed once, not once per consumer.
    expect(hub).toEqual(cache);
    expect(hub[0]).toBe(cache[0]);
    await events.stop();
  });

  it('hands a batch on for delivery only once every invalidation is done', async () => {
    const { broker, append } = countingBroker();
    const events = followDepartmentEvents({
      broker,
      logger: createSilentLogger(),
    });
    const order: string[] = [];
    events.consume({
      name: 'cache',
      phase: 'invalidate',
      onEntries: async () => {
        order.push('invalidation started');
        await new Promise((r) => setTimeout(r, 5));
        order.push('invalidation done');
      },
    });
    // Added before the cache's, still after it.
    events.consume({
      name: 'hub',
      phase: 'deliver',
      onEntries: () => void order.push('delivered'),
    });
    await append('mobility', [event(1)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([
      'invalidation started',
      'invalidation done',
      'delivered',
    ]);
    await events.stop();
  });

  it('logs a failing consumer and goes on with the others and the next batches', async () => {
    const { broker, append } = countingBroker();
    const errors: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'gateway',
      level: 'error',
      format: 'json',
      destination: {
        write: (line: string) =>
          void errors.push(JSON.parse(line) as Record<string, unknown>),
      },
    });
    const events = followDepartmentEvents({ broker, logger });
    const delivered: string[] = [];
    events.consume({
      name: 'rejecting',
      phase: 'invalidate',
      onEntries: async () => {
        throw new Error('store down');
      },
    });
    events.consume({
      name: 'throwing',
      phase: 'deliver',
      onEntries: () => {
        throw new Error('bug');
      },
    });
    events.consume({
      name: 'hub',
      phase: 'deliver',
      onEntries: (entries) => {
        for (const entry of entries) delivered.push(entry.event.id);
      },
    });
    await append('mobility', [event(1)]);
    await append('mobility', [event(2)]);
    await settle();
    expect(delivered).toEqual(['e1', 'e2']);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatchObject({ consumer: 'rejecting' });
    expect(errors[1]).toMatchObject({ consumer: 'throwing' });
    await events.stop();
  });

  it('stops handing batches to a consumer that left, and counts its consumers', async () => {
    const { broker, counts, append } = countingBroker();
    const events = followDepartmentEvents({
      broker,
      logger: createSilentLogger(),
    });
    const seen: string[] = [];
    const leave = events.consume({
      name: 'hub',
      phase: 'deliver',
      onEntries: (entries) => void seen.push(...entries.map((e) => e.event.id)),
    });
    expect(events.consumers).toBe(1);
    await append('mobility', [event(1)]);
    await settle();
    leave();
    leave();
    expect(events.consumers).toBe(0);
    await append('mobility', [event(2)]);
    await settle();
    expect(seen).toEqual(['e1']);
    expect(counts.follows).toBe(1);
    await events.stop();
  });
  it('reads nothing while no consumer wants events, and reads again once one does', async () => {
    const { broker, counts, append } = countingBroker();
    const events = followDepartmentEvents({
      broker,
      logger: createSilentLogger(),
    });
    let open = false;
    const seen: string[] = [];
    events.consume({
      name: 'hub',
      phase: 'deliver',
      wanted: () => open,
      onEntries: (entries) => void seen.push(...entries.map((e) => e.event.id)),
    });
    await append('mobility', [event(1)]);
    await settle();
    expect(counts.batches).toBe(0);
    open = true;
    await append('mobility', [event(2)]);
    await settle();
    expect(seen).toEqual(['e2']);
    open = false;
    // A consumer without `wanted` always wants events.
    const cache: string[] = [];
    events.consume({
      name: 'cache',
      phase: 'invalidate',
      onEntries: (entries) =>
        void cache.push(...entries.map((e) => e.event.id)),
    });
    await append('mobility', [event(3)]);
    await settle();
    expect(cache).toEqual(['e3']);
    expect(counts.batches).toBe(2);
    await events.stop();
  });
});
