/**
 * The gateway's one follower of the departments' events
 * (subscriptions/followDepartmentEvents.ts) inside a real gateway
 * (createGateway, every plugin) with both of its consumers active: the
 * response cache (in the process) and a live subscription over graphql-ws,
 * reading a Redis server of the test's own, which the test restarts and
 * feeds entries that are not events.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CityEvent } from '../../lib/runtime/cityEvents.js';
import {
  createRedisEventBroker,
  type EventBroker,
} from '../../lib/runtime/eventBroker.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import {
  startPrivateRedis,
  type PrivateRedis,
} from '../../lib/tooling/testing/privateRedis.js';
import { createMemoryResponseCacheStore } from '../src/responseCache/responseCacheStore.js';
import type { Gateway } from '../src/server.js';
import {
  CACHE_CONTROL_SDL,
  startGatewayOver,
  type GatewayOver,
} from './startGatewayOver.js';

const SDL = /* GraphQL */ `
  ${CACHE_CONTROL_SDL}
  type Query {
    district(code: String!): District
  }
  type Subscription {
    trafficChanged(district: String!): District
  }
  type District @key(fields: "code") @cacheControl(maxAge: 600) {
    code: String!
    congestion: Int!
  }
`;

// The department's data, which the test changes before announcing it.
const congestion = new Map<string, number>([['13202', 1]]);

const DISTRICT = 'query D { district(code: "13202") { congestion } }';

let n = 0;
const trafficChanged = (district: string): CityEvent => ({
  id: `traffic-${district}-${(n += 1)}`,
  department: 'mobility',
  type: 'traffic.changed',
  entity: { type: 'District', id: district },
  district,
  occurredAt: new Date(),
  payload: {},
});

describe('one follower of the department events for the cache and the live hub', () => {
  const prefix = `test-${randomUUID()}:`;
  let redis: PrivateRedis;
  let broker: EventBroker;
  let over: GatewayOver;
  let gateway: Gateway;
  let base: string;
  let client: Client;
  // What the subscription received, in order.
  const received: unknown[] = [];

  const ask = async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: DISTRICT }),
    });
    return {
      cache: response.headers.get('x-cache'),
      body: (await response.json()) as unknown,
    };
  };
  /** A cached answer with the congestion the department has now. */
  const cacheNow = async () => {
    await ask();
    const answer = await ask();
    expect(answer.cache).toBe('HIT');
    return answer;
  };
  const appendRetrying = async (events: CityEvent[]) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await broker.append('mobility', events);
        return;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  /** The Redis clients blocked in (or last done with) an XREAD: the followers. */
  const followers = async () => {
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const list = (await admin.call('CLIENT', 'LIST')) as string;
      return list.split('\n').filter((line) => / cmd=xread /.test(line)).length;
    } finally {
      admin.disconnect();
    }
  };

  beforeAll(async () => {
    redis = await startPrivateRedis();
    broker = createRedisEventBroker({
      url: redis.url,
      prefix,
      logger: createSilentLogger(),
      blockMs: 200,
    });
    over = await startGatewayOver(
      {
        name: 'mobility',
        sdl: SDL,
        resolvers: {
          Query: {
            district: (_: unknown, { code }: { code: string }) => ({
              code,
              congestion: congestion.get(code) ?? 0,
            }),
          },
        },
      },
      {
        events: broker,
        responseCache: createMemoryResponseCacheStore({ maxEntries: 100 }),
      },
    );
    ({ gateway, base } = over);
    client = createClient({
      url: `${base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    client.subscribe(
      {
        query:
          'subscription W { trafficChanged(district: "13202") { congestion } }',
      },
      {
        next: (value) => void received.push(value),
        error: () => {},
        complete: () => {},
      },
    );
    for (let i = 0; gateway.live.openSubscriptions < 1 && i < 500; i += 1)
      await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    await client?.dispose();
    await over?.stop();
    await broker?.close();
    await redis?.stop();
  });

  it('reads Redis with one connection for both, and each gets every batch', async () => {
    expect(gateway.live.openSubscriptions).toBe(1);
    expect(await followers()).toBe(1);
    await cacheNow();
    congestion.set('13202', 2);
    await broker.append('mobility', [trafficChanged('13202')]);
    // Delivered, and resolved with the department's new figure: the cache
    // dropped its answer before the hub handed the event on.
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toEqual({
      data: { trafficChanged: { congestion: 2 } },
    });
    const after = await ask();
    expect(after.cache).not.toBe('HIT');
    expect(after.body).toEqual({ data: { district: { congestion: 2 } } });
    expect(await followers()).toBe(1);
  });

  it('skips entries that are not events and goes on with the next', async () => {
    await cacheNow();
    congestion.set('13202', 3);
    const writer = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const stream = `${prefix}events:mobility`;
    await writer.xadd(stream, '*', 'id', 'garbage-1', 'e', '{not json');
    await writer.xadd(stream, '*', 'id', 'garbage-2', 'e', '{"id":1}');
    await writer.xadd(stream, '*', 'id', 'garbage-3');
    writer.disconnect();
    const before = received.length;
    await broker.append('mobility', [trafficChanged('13202')]);
    await expect.poll(() => received.length).toBe(before + 1);
    expect(received.at(-1)).toEqual({
      data: { trafficChanged: { congestion: 3 } },
    });
    expect((await ask()).body).toEqual({
      data: { district: { congestion: 3 } },
    });
  });

  it('keeps both fed across a Redis restart', async () => {
    await cacheNow();
    await redis.kill();
    await redis.start();
    congestion.set('13202', 4);
    const before = received.length;
    // The restarted server is empty: the follower reads the new stream.
    await appendRetrying([trafficChanged('13202')]);
    await expect
      .poll(() => received.length, { timeout: 20_000 })
      .toBe(before + 1);
    expect(received.at(-1)).toEqual({
      data: { trafficChanged: { congestion: 4 } },
    });
    expect((await ask()).body).toEqual({
      data: { district: { congestion: 4 } },
    });
    expect(await followers()).toBe(1);
  });
});
