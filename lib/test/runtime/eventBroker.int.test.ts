import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityEvent } from '../../runtime/cityEvents.js';
import {
  createRedisEventBroker,
  parseCityEvent,
  serializeCityEvent,
  type BrokerEntry,
  type EventBroker,
} from '../../runtime/eventBroker.js';
import { createSilentLogger } from '../../runtime/logger.js';
import {
  startPrivateRedis,
  type PrivateRedis,
} from '../../tooling/testing/privateRedis.js';

const event = (n: number): CityEvent => ({
  id: `env-aq-13201-01@2026-11-25T08:${String(n).padStart(2, '0')}:00.000Z`,
  department: 'environment',
  type: 'reading.received',
  entity: { type: 'AirQualityStation', id: 'env-aq-13201-01' },
  district: '13201',
  occurredAt: new Date(`2026-11-25T08:${String(n).padStart(2, '0')}:00.000Z`),
  payload: { no2: n },
});

/** Collects what a follower receives; `until(n)` resolves once n entries arrived. */
function collector() {
  const received: BrokerEntry[] = [];
  let waiting: { n: number; resolve: () => void } | null = null;
  return {
    received,
    onEntries(entries: readonly BrokerEntry[]) {
      received.push(...entries);
      if (waiting && received.length >= waiting.n) waiting.resolve();
    },
    until(n: number) {
      return received.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => (waiting = { n, resolve }));
    },
  };
}

/** How many times each command ran on the Redis at `url` (INFO commandstats). */
async function commandCalls(url: string): Promise<Map<string, number>> {
  const client = new Redis(url);
  try {
    const info = await client.info('commandstats');
    const calls = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm))
      calls.set(m[1] ?? '', Number(m[2]));
    return calls;
  } finally {
    client.disconnect();
  }
}

describe('Redis Streams event broker', () => {
  let redis: PrivateRedis;
  let broker: EventBroker;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    broker = createRedisEventBroker({
      url: redis.url,
      prefix: `test-${randomUUID()}:`,
      logger: createSilentLogger(),
      blockMs: 200,
    });
  });
  afterAll(async () => {
    await broker.close();
    await redis.stop();
  });

  it('round-trips an event through its JSON form', () => {
    expect(parseCityEvent(serializeCityEvent(event(1)))).toEqual(event(1));
    expect(() => parseCityEvent('{"id":1}')).toThrow('not a city event');
  });

  it('hands a follower what is appended after it is ready, in order', async () => {
    await broker.append('environment', [event(0)]);
    const seen = collector();
    const follower = broker.follow({
      sources: ['environment', 'mobility'],
      onEntries: (e) => seen.onEntries(e),
    });
    await follower.ready;
    await broker.append('environment', [event(1), event(2)]);
    await seen.until(2);
    await follower.stop();
    expect(seen.received.map((e) => e.event)).toEqual([event(1), event(2)]);
    expect(seen.received[0]?.source).toBe('environment');
  });

  it('reads no entry while not wanted, and hands on what is appended once wanted', async () => {
    let wanted = false;
    const seen = collector();
    const follower = broker.follow({
      sources: ['environment'],
      onEntries: (e) => seen.onEntries(e),
      wanted: () => wanted,
    });
    await follower.ready;
    await broker.append('environment', [event(10), event(11)]);
    // Several of the follower's refreshes (every 100 ms) pass meanwhile. This
    // Redis is the file's own, so its command counts are the follower's.
    const before = await commandCalls(redis.url);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await commandCalls(redis.url);
    expect(seen.received).toEqual([]);
    // Idle, it reads no entry and asks for the streams' ends about every
    // 100 ms, not again and again without a pause.
    expect((after.get('xread') ?? 0) - (before.get('xread') ?? 0)).toBe(0);
    const refreshes =
      (after.get('xrevrange') ?? 0) - (before.get('xrevrange') ?? 0);
    expect(refreshes).toBeGreaterThan(0);
    expect(refreshes).toBeLessThanOrEqual(30);
    wanted = true;
    await broker.append('environment', [event(12)]);
    await seen.until(1);
    await follower.stop();
    // Its positions followed the stream end: no backlog once wanted.
    expect(seen.received.map((e) => e.event)).toEqual([event(12)]);
  });

  it('keeps following across a broker restart: appends after the restart arrive', async () => {
    const seen = collector();
    const follower = broker.follow({
      sources: ['environment'],
      onEntries: (e) => seen.onEntries(e),
    });
    await follower.ready;
    await broker.append('environment', [event(3)]);
    await seen.until(1);

    await redis.kill();
    // Refused (the usual case) or, if the loss was not yet noticed, sent to
    // the dead server and lost with it: either way not in the new server.
    await broker.append('environment', [event(4)]).catch(() => undefined);
    await redis.start();
    // The writer reconnects on its own; append retries as a relay would.
    for (let attempt = 0; ; attempt++) {
      try {
        await broker.append('environment', [event(5)]);
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await seen.until(2);
    await follower.stop();
    expect(seen.received.map((e) => e.event.id)).toEqual([
      event(3).id,
      event(5).id,
    ]);
    expect(await broker.ping()).toBe(true);
  });
});
