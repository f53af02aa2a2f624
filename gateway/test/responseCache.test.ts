import { buildSchema, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  createCacheInvalidation,
  eventEntities,
  ingestedEntities,
} from '../src/responseCache/cacheInvalidation.js';
import { readCacheModel } from '../src/responseCache/cacheModel.js';
import {
  collectEntities,
  EntityTagger,
} from '../src/responseCache/entityTags.js';
import { operationCachePolicy } from '../src/responseCache/operationCachePolicy.js';
import {
  createMemoryResponseCacheStore,
  type CachedAnswer,
} from '../src/responseCache/responseCacheStore.js';
import { followDepartmentEvents } from '../src/subscriptions/followDepartmentEvents.js';
import { createMemoryEventBroker } from '../../lib/runtime/eventBroker.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';

// A supergraph as composition writes it, reduced to what the cache reads.
const SUPERGRAPH = /* GraphQL */ `
  directive @join__type(
    graph: join__Graph!
    key: String
    resolvable: Boolean = true
  ) repeatable on OBJECT | INTERFACE
  directive @join__graph(name: String!, url: String!) on ENUM_VALUE
  directive @cacheControl(
    maxAge: Int
    scope: CacheControlScope
    inheritMaxAge: Boolean
  ) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  enum CacheControlScope {
    PUBLIC
    PRIVATE
  }
  enum join__Graph {
    MOBILITY @join__graph(name: "mobility", url: "http://mobility")
    GOVERNANCE @join__graph(name: "governance", url: "http://governance")
  }
  type Query {
    trafficSensor(id: ID!): TrafficSensor
    trafficSensors: [TrafficSensor!] @cacheControl(maxAge: 30)
    district(code: ID!): District
    light(id: ID!): TrafficLight
    me: Account
    version: String
    thing(id: ID!): Thing
  }
  union Thing = TrafficSensor | District
  type Mutation {
    rename(id: ID!): TrafficSensor
  }
  type TrafficSensor
    @join__type(graph: MOBILITY, key: "id")
    @cacheControl(maxAge: 60) {
    id: ID!
    name: String
    latestReading: Reading
    district: District
  }
  type Reading {
    occupancy: Float
  }
  type District
    @join__type(graph: MOBILITY, key: "code")
    @join__type(graph: GOVERNANCE, key: "code")
    @cacheControl(maxAge: 300) {
    code: ID!
    name: String
    liveCount: Int @cacheControl(maxAge: 5)
  }
  type TrafficLight @join__type(graph: MOBILITY, key: "id") {
    id: ID!
    name: String
  }
  type Account @cacheControl(maxAge: 60, scope: PRIVATE) {
    name: String
  }
`;
const schema = buildSchema(SUPERGRAPH);
const model = readCacheModel(SUPERGRAPH);
const policy = (query: string) =>
  operationCachePolicy(schema, parse(query), null, model);

describe('operationCachePolicy', () => {
  it('is the smallest maxAge of the types and fields selected', () => {
    expect(policy('{ trafficSensor(id: "a") { name } }')).toEqual({
      maxAge: 60,
      scope: 'PUBLIC',
    });
    expect(
      policy('{ trafficSensor(id: "a") { name district { name } } }').maxAge,
    ).toBe(60);
    expect(policy('{ district(code: "1") { name liveCount } }').maxAge).toBe(5);
    expect(policy('{ trafficSensors { district { code } } }').maxAge).toBe(30);
  });

  it('lets a value type (no key) inherit its parent entity', () => {
    expect(
      policy('{ trafficSensor(id: "a") { latestReading { occupancy } } }')
        .maxAge,
    ).toBe(60);
  });

  it('does not cache an entity or a root field without a hint', () => {
    expect(policy('{ light(id: "a") { name } }').maxAge).toBe(0);
    expect(policy('{ version }').maxAge).toBe(0);
    expect(
      policy('{ trafficSensor(id: "a") { name } light(id: "b") { name } }')
        .maxAge,
    ).toBe(0);
  });

  it('never caches a mutation, and says PRIVATE when a hint does', () => {
    expect(policy('mutation { rename(id: "a") { name } }').maxAge).toBe(0);
    expect(policy('{ me { name } }')).toEqual({
      maxAge: 60,
      scope: 'PRIVATE',
    });
  });

  it('does not cache an interface or union selection, whose entities are not tagged', () => {
    expect(
      policy('{ thing(id: "a") { ... on TrafficSensor { name } } }').maxAge,
    ).toBe(0);
  });

  it('follows fragments and picks the named operation', () => {
    const document = parse(
      'query A { light(id: "a") { name } } query B { ...S } fragment S on Query { trafficSensor(id: "a") { name } }',
    );
    expect(operationCachePolicy(schema, document, 'B', model).maxAge).toBe(60);
    expect(operationCachePolicy(schema, document, 'A', model).maxAge).toBe(0);
  });
});

describe('EntityTagger', () => {
  const tagger = new EntityTagger();

  it('asks for the type and key of each entity the subgraph keys', () => {
    const rewritten = tagger.rewrite(
      'query($id:ID!){trafficSensor(id:$id){name latestReading{occupancy} district{name}}}',
      'mobility',
      schema,
      model,
    );
    expect(print(parse(rewritten))).toEqual(
      print(
        parse(
          'query($id:ID!){trafficSensor(id:$id){name latestReading{occupancy} district{name _ck_t: __typename _ck_k: code} _ck_t: __typename _ck_k: id}}',
        ),
      ),
    );
  });

  it('tags the entities of an _entities fetch by their type condition', () => {
    const rewritten = tagger.rewrite(
      'query($representations:[_Any!]!){_entities(representations:$representations){...on District{name}}}',
      'governance',
      schema,
      model,
    );
    expect(rewritten).toContain('_ck_k: code');
  });

  it('leaves a query with no entity of the subgraph as it is', () => {
    const query = '{version}';
    expect(tagger.rewrite(query, 'mobility', schema, model)).toBe(query);
    expect(
      tagger.rewrite('{light(id:"a"){name}}', 'governance', schema, model),
    ).toBe('{light(id:"a"){name}}');
  });

  it('collects the tags from the answer', () => {
    const into = new Set<string>();
    collectEntities(
      {
        trafficSensors: [
          {
            _ck_t: 'TrafficSensor',
            _ck_k: 'a',
            district: { _ck_t: 'District', _ck_k: '13201' },
          },
          { _ck_t: 'TrafficSensor', _ck_k: 'b', district: null },
        ],
      },
      into,
    );
    expect([...into].sort()).toEqual([
      'District:13201',
      'TrafficSensor:a',
      'TrafficSensor:b',
    ]);
  });
});

const answer = (maxAge = 60): CachedAnswer => ({
  data: { trafficSensor: { name: 'A' } },
  enforcement: [],
  storedAt: 0,
  maxAge,
});

describe('the in-process store', () => {
  it('serves an entry until its time to live, then not', async () => {
    let now = 1000;
    const store = createMemoryResponseCacheStore({
      maxEntries: 10,
      now: () => now,
    });
    const { sequence } = await store.lookup('k');
    expect(
      await store.store('k', answer(), ['TrafficSensor:a'], 60_000, sequence!),
    ).toBe(true);
    now += 59_999;
    expect((await store.lookup('k')).answer).toEqual(answer());
    now += 1;
    expect((await store.lookup('k')).answer).toBeNull();
  });

  it('drops the entries of an invalidated entity, and only those', async () => {
    const store = createMemoryResponseCacheStore({ maxEntries: 10 });
    await store.store('a', answer(), ['TrafficSensor:a', 'District:1'], 1e5, 0);
    await store.store('b', answer(), ['TrafficSensor:b'], 1e5, 0);
    expect(await store.invalidate(['District:1'])).toBe(1);
    expect((await store.lookup('a')).answer).toBeNull();
    expect((await store.lookup('b')).answer).not.toBeNull();
  });

  it('refuses an answer computed before one of its entities changed', async () => {
    const store = createMemoryResponseCacheStore({ maxEntries: 10 });
    const { sequence } = await store.lookup('k');
    await store.invalidate(['TrafficSensor:a']);
    expect(
      await store.store('k', answer(), ['TrafficSensor:a'], 1e5, sequence!),
    ).toBe(false);
    expect((await store.lookup('k')).answer).toBeNull();
    // Computed after the change: kept.
    const later = await store.lookup('k');
    expect(
      await store.store(
        'k',
        answer(),
        ['TrafficSensor:a'],
        1e5,
        later.sequence!,
      ),
    ).toBe(true);
  });

  it('keeps at most maxEntries, the least recently used dropped first', async () => {
    const store = createMemoryResponseCacheStore({ maxEntries: 2 });
    await store.store('a', answer(), [], 1e5, 0);
    await store.store('b', answer(), [], 1e5, 0);
    await store.lookup('a');
    await store.store('c', answer(), [], 1e5, 0);
    expect((await store.lookup('b')).answer).toBeNull();
    expect((await store.lookup('a')).answer).not.toBeNull();
    expect((await store.lookup('c')).answer).not.toBeNull();
  });

  it('gives each lookup its own objects', async () => {
    const store = createMemoryResponseCacheStore({ maxEntries: 2 });
    await store.store('a', answer(), [], 1e5, 0);
    const first = (await store.lookup('a')).answer!;
    (first.data['trafficSensor'] as { name: string }).name = 'changed';
    expect((await store.lookup('a')).answer).toEqual(answer());
  });
});

describe('invalidation', () => {
  it('names the entity of an event and its district', () => {
    expect(
      eventEntities({
        id: 'x',
        department: 'mobility',
        type: 'reading.received',
        entity: { type: 'TrafficSensor', id: 'mob-ts-13201-01' },
        district: '13201',
        occurredAt: new Date(),
        payload: {},
      }),
    ).toEqual(['TrafficSensor:mob-ts-13201-01', 'District:13201']);
  });

  it('names a created reading device under each entity type of its department', () => {
    expect(
      ingestedEntities(model, 'mobility', [
        'mob-ts-13201-01@2026-11-25T08:00:00.000Z',
        'not a reading id',
      ]),
    ).toEqual([
      'TrafficSensor:mob-ts-13201-01',
      'TrafficLight:mob-ts-13201-01',
    ]);
  });

  it('drops the entries of the entities the departments announce', async () => {
    const store = createMemoryResponseCacheStore({ maxEntries: 10 });
    const broker = createMemoryEventBroker();
    const invalidation = createCacheInvalidation({
      store,
      logger: createSilentLogger(),
    });
    const events = followDepartmentEvents({
      broker,
      logger: createSilentLogger(),
    });
    await invalidation.follow(events);
    await store.store('sensor', answer(), ['TrafficSensor:s1'], 1e5, 0);
    await store.store('district', answer(), ['District:13202'], 1e5, 0);
    await store.store('other', answer(), ['TrafficSensor:s2'], 1e5, 0);
    await broker.append('mobility', [
      {
        id: 'e1',
        department: 'mobility',
        type: 'reading.received',
        entity: { type: 'TrafficSensor', id: 's1' },
        district: '13202',
        occurredAt: new Date(),
        payload: {},
      },
    ]);
    for (let i = 0; i < 100; i += 1) {
      if ((await store.lookup('sensor')).answer === null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await store.lookup('sensor')).answer).toBeNull();
    expect((await store.lookup('district')).answer).toBeNull();
    expect((await store.lookup('other')).answer).not.toBeNull();
    await invalidation.stop();
    await events.stop();
    await broker.close();
  });
});
