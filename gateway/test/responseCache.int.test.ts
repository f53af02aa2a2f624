/**
 * The response cache inside a real gateway (createGateway, every plugin),
 * in front of a small subgraph over HTTP that counts what it is asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryEventBroker } from '../../lib/runtime/eventBroker.js';
import {
  createMemoryResponseCacheStore,
  type ResponseCacheStore,
} from '../src/responseCache/responseCacheStore.js';
import {
  CACHE_CONTROL_SDL,
  startGatewayOver,
  type GatewayOver,
} from './startGatewayOver.js';

const SDL = /* GraphQL */ `
  ${CACHE_CONTROL_SDL}
  type Query {
    sensor(id: ID!): Sensor
    light(id: ID!): Light
    broken: Sensor
  }
  type Mutation {
    rename(id: ID!, name: String!): Sensor
  }
  type Sensor @key(fields: "id") @cacheControl(maxAge: 60) {
    id: ID!
    name: String!
    reading: Reading
  }
  type Reading {
    value: Float!
  }
  type Light @key(fields: "id") {
    id: ID!
    name: String!
  }
`;

const names = new Map<string, string>([
  ['s1', 'Sensor one'],
  ['s2', 'Sensor two'],
]);
const asked: string[] = [];
// Operation usage recorded, by operation name.
const used = new Map<string, number>();

let over: GatewayOver;
let store: ResponseCacheStore;
let base: string;
const broker = createMemoryEventBroker();

// Requests sent with SENSOR (operation S), whatever answered them.
let sensorAsks = 0;

async function ask(query: string, variables: Record<string, unknown> = {}) {
  if (query === SENSOR) sensorAsks += 1;
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return {
    cache: response.headers.get('x-cache'),
    cacheControl: response.headers.get('cache-control'),
    body: (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: { extensions?: { code?: string } }[];
    },
  };
}

const SENSOR =
  'query S($id: ID!) { sensor(id: $id) { name reading { value } } }';

beforeAll(async () => {
  store = createMemoryResponseCacheStore({ maxEntries: 100 });
  over = await startGatewayOver(
    {
      name: 'mobility',
      sdl: SDL,
      resolvers: {
        Query: {
          sensor: (_: unknown, { id }: { id: string }) => {
            asked.push(`sensor:${id}`);
            const name = names.get(id);
            return name ? { id, name, reading: { value: 1 } } : null;
          },
          light: (_: unknown, { id }: { id: string }) => ({ id, name: id }),
          broken: () => {
            asked.push('broken');
            throw new Error('no');
          },
        },
        Mutation: {
          rename: (_: unknown, { id, name }: { id: string; name: string }) => {
            names.set(id, name);
            return { id, name, reading: { value: 1 } };
          },
        },
      },
    },
    {
      usage: {
        record: async (records) => {
          for (const r of records)
            used.set(
              r.name ?? '',
              (used.get(r.name ?? '') ?? 0) + (r.count ?? 1),
            );
        },
      },
      usageFlushIntervalMs: 10,
      events: broker,
      responseCache: store,
    },
  );
  ({ base } = over);
});
afterAll(async () => {
  await over?.stop();
});

describe('the response cache in the gateway', () => {
  it('answers a cacheable query once from the subgraph, then from the cache, without the ids it asked for', async () => {
    asked.length = 0;
    const first = await ask(SENSOR, { id: 's1' });
    expect(first.cache).toBe('MISS');
    expect(first.cacheControl).toBe('max-age=60, public');
    expect(first.body).toEqual({
      data: { sensor: { name: 'Sensor one', reading: { value: 1 } } },
    });
    let second = await ask(SENSOR, { id: 's1' });
    for (let i = 0; second.cache !== 'HIT' && i < 50; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      second = await ask(SENSOR, { id: 's1' });
    }
    expect(second.cache).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(asked.filter((a) => a === 'sensor:s1').length).toBe(
      1 + (second.cache === 'HIT' ? 0 : 1),
    );
    // Other variables: another entry.
    expect((await ask(SENSOR, { id: 's2' })).cache).toBe('MISS');
  });

  it('records the usage of an operation answered from the cache', async () => {
    await ask(SENSOR, { id: 's1' });
    const hit = await ask(SENSOR, { id: 's1' });
    expect(hit.cache).toBe('HIT');
    // Usage is recorded after the answer: wait for every request sent so far,
    // the hit included, then check none was counted twice.
    for (let i = 0; (used.get('S') ?? 0) < sensorAsks && i < 100; i += 1)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(used.get('S')).toBe(sensorAsks);
  });

  it('drops the answers of an entity a mutation returned', async () => {
    await ask(SENSOR, { id: 's1' });
    const renamed = await ask(
      'mutation { rename(id: "s1", name: "Renamed") { id } }',
    );
    expect(renamed.cache).toBe('PASS');
    const after = await ask(SENSOR, { id: 's1' });
    expect(after.cache).toBe('MISS');
    expect(after.body.data).toEqual({
      sensor: { name: 'Renamed', reading: { value: 1 } },
    });
  });

  it('drops the answers of an entity a department announced', async () => {
    await ask(SENSOR, { id: 's2' });
    names.set('s2', 'Changed in the department');
    await broker.append('mobility', [
      {
        id: 'changed-s2',
        department: 'mobility',
        type: 'sensor.changed',
        entity: { type: 'Sensor', id: 's2' },
        occurredAt: new Date(),
        payload: {},
      },
    ]);
    let after = await ask(SENSOR, { id: 's2' });
    for (let i = 0; after.cache === 'HIT' && i < 50; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      after = await ask(SENSOR, { id: 's2' });
    }
    expect(after.body.data).toEqual({
      sensor: { name: 'Changed in the department', reading: { value: 1 } },
    });
  });

  it('passes operations without a hint, and never keeps errors', async () => {
    const light = await ask('{ light(id: "l1") { name } }');
    expect(light.cache).toBe('PASS');
    expect(light.cacheControl).toBe('no-store');
    asked.length = 0;
    const broken = await ask('{ broken { name } }');
    expect(broken.body.errors?.length).toBeGreaterThan(0);
    expect(broken.cacheControl).toBe('no-store');
    await ask('{ broken { name } }');
    expect(asked.filter((a) => a === 'broken').length).toBe(2);
  });
});
