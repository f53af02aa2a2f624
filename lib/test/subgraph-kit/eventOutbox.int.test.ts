import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CityEvent } from '../../runtime/cityEvents.js';
import { randomUUID } from 'node:crypto';
import {
  createMemoryEventBroker,
  createRedisEventBroker,
  type BrokerEntry,
  type EventBroker,
} from '../../runtime/eventBroker.js';
import { createSilentLogger } from '../../runtime/logger.js';
import {
  createOutboxPublisher,
  ensureOutboxIndexes,
  OUTBOX_COLLECTION,
  startOutboxRelay,
  type OutboxRelay,
} from '../../subgraph-kit/eventOutbox.js';
import { startPrivateRedis } from '../../tooling/testing/privateRedis.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../tooling/testing/testDatabase.js';

const reading = (n: number): CityEvent => ({
  id: `mob-ts-13201-01@2026-11-25T08:0${n}:00.000Z`,
  department: 'mobility',
  type: 'reading.received',
  entity: { type: 'TrafficSensor', id: 'mob-ts-13201-01' },
  district: '13201',
  occurredAt: new Date(`2026-11-25T08:0${n}:00.000Z`),
  payload: { occupancy: n / 10 },
});

describe('event outbox', () => {
  let db: TestDatabase;
  const relays: OutboxRelay[] = [];
  const relay = (broker: EventBroker) => {
    const started = startOutboxRelay({
      connection: db.connection,
      broker,
      source: 'mobility',
      logger: createSilentLogger(),
      // Long: the tests move events with flush(), not the poll.
      pollIntervalMs: 60_000,
    });
    relays.push(started);
    return started;
  };

  beforeAll(async () => {
    db = await startTestDatabase('outbox-test');
    await ensureOutboxIndexes(db.connection);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await db.connection.collection(OUTBOX_COLLECTION).deleteMany({});
  });
  afterAll(async () => {
    await db.stop();
  });

  it('stores an event published twice once, and relays it once', async () => {
    const broker = createMemoryEventBroker();
    const relayed = relay(broker);
    const publisher = createOutboxPublisher({ connection: db.connection });
    await publisher.publish([reading(1)]);
    await publisher.publish([reading(1)]);
    expect(
      await db.connection.collection(OUTBOX_COLLECTION).countDocuments(),
    ).toBe(1);
    await relayed.flush();
    expect(broker.entries('mobility').map((e) => e.event)).toEqual([
      reading(1),
    ]);
    expect(await relayed.pending()).toBe(0);
  });

  it('keeps events while the broker is down and delivers them, in order, once it is back', async () => {
    const broker = createMemoryEventBroker();
    broker.setDown(true);
    const relayed = relay(broker);
    const publisher = createOutboxPublisher({ connection: db.connection });
    await publisher.publish([reading(3), reading(1)]);
    await publisher.publish([reading(2)]);
    await relayed.flush();
    expect(await relayed.pending()).toBe(3);
    expect(broker.entries('mobility')).toHaveLength(0);

    broker.setDown(false);
    await relayed.flush();
    expect(await relayed.pending()).toBe(0);
    // Publication order, not id order.
    expect(broker.entries('mobility').map((e) => e.event.id)).toEqual([
      reading(3).id,
      reading(1).id,
      reading(2).id,
    ]);
  });

  it('resumes after a restart with what the previous process left undelivered', async () => {
    const broker = createMemoryEventBroker();
    const publisher = createOutboxPublisher({ connection: db.connection });
    // The previous process wrote the events and died before relaying them.
    await publisher.publish([reading(1), reading(2)]);
    const restarted = relay(broker);
    await restarted.flush();
    expect(broker.entries('mobility').map((e) => e.event.id)).toEqual([
      reading(1).id,
      reading(2).id,
    ]);
  });

  it('relays on its own soon after a publish (woken by the publisher)', async () => {
    const broker = createMemoryEventBroker();
    const relayed = relay(broker);
    const publisher = createOutboxPublisher({
      connection: db.connection,
      onPublished: () => relayed.wake(),
    });
    const arrived = new Promise<string>((resolve) => {
      broker.follow({
        sources: ['mobility'],
        onEntries: (entries) => resolve(entries[0]?.event.id ?? ''),
      });
    });
    await publisher.publish([reading(4)]);
    expect(await arrived).toBe(reading(4).id);
  });

  it('sends what a publish stored from memory, in order, and removes it from the outbox', async () => {
    const broker = createMemoryEventBroker();
    const relayed = relay(broker);
    await relayed.flush(); // read once: nothing older waits
    const publisher = createOutboxPublisher({
      connection: db.connection,
      onPublished: (stored) => relayed.wake(stored),
    });
    const arrived = new Promise<string[]>((resolve) => {
      const ids: string[] = [];
      broker.follow({
        sources: ['mobility'],
        onEntries: (entries) => {
          ids.push(...entries.map((e) => e.event.id));
          if (ids.length === 3) resolve(ids);
        },
      });
    });
    await publisher.publish([reading(2), reading(1)]);
    await publisher.publish([reading(3)]);
    expect(await arrived).toEqual([
      reading(2).id,
      reading(1).id,
      reading(3).id,
    ]);
    for (let i = 0; i < 50 && (await relayed.pending()) > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await relayed.pending()).toBe(0);
  });

  it('hands events straight to the broker while nothing waits, and to the outbox, in order, while the broker is down', async () => {
    const broker = createMemoryEventBroker();
    const relayed = relay(broker);
    await relayed.flush(); // read once: nothing older waits
    const publisher = createOutboxPublisher({
      connection: db.connection,
      onPublished: (stored) => relayed.wake(stored),
      direct: (events) => relayed.sendNow(events),
    });
    await publisher.publish([reading(1)]);
    // At the broker when publish resolved, and never written to the outbox.
    expect(broker.entries('mobility').map((e) => e.event.id)).toEqual([
      reading(1).id,
    ]);
    expect(await relayed.pending()).toBe(0);

    broker.setDown(true);
    await publisher.publish([reading(2)]);
    expect(await relayed.pending()).toBe(1);
    broker.setDown(false);
    // Not ahead of what waits in the outbox (which the woken relay may be sending now).
    await publisher.publish([reading(3)]);
    await relayed.flush();
    expect(broker.entries('mobility').map((e) => e.event.id)).toEqual([
      reading(1).id,
      reading(2).id,
      reading(3).id,
    ]);
    expect(await relayed.pending()).toBe(0);
    await publisher.publish([reading(4)]);
    expect(broker.entries('mobility')).toHaveLength(4);
    expect(await relayed.pending()).toBe(0);
  });

  it('sends an event published again after delivery again (at-least-once), and one published twice while waiting once', async () => {
    const broker = createMemoryEventBroker();
    const relayed = relay(broker);
    const publisher = createOutboxPublisher({ connection: db.connection });
    await publisher.publish([reading(1), reading(1)]);
    await publisher.publish([reading(1)]);
    await relayed.flush();
    await publisher.publish([reading(1)]);
    await relayed.flush();
    expect(broker.entries('mobility').map((e) => e.event.id)).toEqual([
      reading(1).id,
      reading(1).id,
    ]);
  });

  it('sends what an outbox from before kept as pending, and not what it had delivered', async () => {
    const outbox = db.connection.collection(OUTBOX_COLLECTION);
    const { id: pendingId, ...pendingEvent } = reading(1);
    const { id: deliveredId, ...deliveredEvent } = reading(2);
    await outbox.createIndex({ deliveredAt: 1, order: 1 });
    await outbox.insertMany([
      {
        _id: pendingId as never,
        event: pendingEvent,
        order: 2,
        deliveredAt: null,
      },
      {
        _id: deliveredId as never,
        event: deliveredEvent,
        order: 1,
        deliveredAt: new Date(),
      },
    ]);
    await ensureOutboxIndexes(db.connection);
    const broker = createMemoryEventBroker();
    await relay(broker).flush();
    expect(broker.entries('mobility').map((e) => e.event.id)).toEqual([
      pendingId,
    ]);
    expect(
      (await outbox.indexes()).filter((i) => 'deliveredAt' in i.key),
    ).toEqual([]);
  });

  it('loses nothing when the Redis broker is killed and restarted mid-stream', async () => {
    const redis = await startPrivateRedis();
    const broker = createRedisEventBroker({
      url: redis.url,
      prefix: `test-${randomUUID()}:`,
      logger: createSilentLogger(),
      blockMs: 200,
    });
    try {
      const relayed = relay(broker);
      const publisher = createOutboxPublisher({ connection: db.connection });
      await publisher.publish([reading(1)]);
      await relayed.flush();
      expect(await relayed.pending()).toBe(0);

      await redis.kill();
      await publisher.publish([reading(2), reading(3)]);
      await relayed.flush();
      expect(await relayed.pending()).toBe(2);

      // A fresh, empty server: what was pending must still get there.
      await redis.start();
      const received: BrokerEntry[] = [];
      const follower = broker.follow({
        sources: ['mobility'],
        onEntries: (entries) => void received.push(...entries),
      });
      await follower.ready;
      for (let i = 0; i < 100 && (await relayed.pending()) > 0; i++) {
        await relayed.flush();
        if ((await relayed.pending()) > 0)
          await new Promise((r) => setTimeout(r, 100));
      }
      expect(await relayed.pending()).toBe(0);
      for (let i = 0; i < 100 && received.length < 2; i++)
        await new Promise((r) => setTimeout(r, 50));
      await follower.stop();
      expect(received.map((e) => e.event.id)).toEqual([
        reading(2).id,
        reading(3).id,
      ]);
    } finally {
      await broker.close();
      await redis.stop();
    }
  });
});
