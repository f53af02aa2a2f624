/**
 * Test support (not for production code): the real client libraries apps
 * use, through the example apps of examples/ (docs/clients.md), against the
 * started city graph: Apollo Client normalizes every entity of the README's
 * queries and pages with relayStylePagination; urql works with its defaults
 * (queries over GET); Graphcache normalizes and pages with relayPagination;
 * Relay's compiled artifacts page a @connection and refetch by node(id:);
 * graphql-request sends tokens; the codegen client
 * preset's typed operations run; a browser origin is allowed or refused.
 */
import { gql } from '@apollo/client';
import {
  getIntrospectionQuery,
  Kind,
  parse,
  print,
  visit,
  type IntrospectionQuery,
} from 'graphql';
import { GraphQLClient } from 'graphql-request';
import { describe, expect, it } from 'vitest';
import {
  createCityApolloClient,
  loadTrafficSensorPages,
} from '../../examples/apollo-client/cityApolloClient.js';
import {
  congestionObservedAt,
  districtReport,
} from '../../examples/codegen/districtReport.js';
import {
  createCityRequestClient,
  trafficLight,
} from '../../examples/graphql-request/cityRequests.js';
import {
  createCityRelayEnvironment,
  loadTrafficSensorPages as loadRelayPages,
  refetchTrafficSensor,
} from '../../examples/relay/cityRelay.js';
import {
  createCityGraphcacheClient,
  fetchCitySchema,
  loadTrafficSensorPages as loadGraphcachePages,
} from '../../examples/urql/cityGraphcacheClient.js';
import {
  createCityUrqlClient,
  districtBikes,
} from '../../examples/urql/cityUrqlClient.js';
import { EXPLORER_EXAMPLES } from '../../gateway/src/explorer/examples.js';
import { NODE_ID_FORMS } from '../../lib/subgraph-kit/nodeIds.js';
import type { CityGraph } from './cityGraph.js';

/** Every object of an answer that names its type, depth first. */
function typedObjects(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(typedObjects);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  const nested = Object.values(object).flatMap(typedObjects);
  return typeof object['__typename'] === 'string'
    ? [object, ...nested]
    : nested;
}

/**
 * The query with `__typename` asked in every selection set: Graphcache
 * answers it only where the document itself asks (the one urql adds to what
 * it sends is not passed on).
 */
function withTypenames(query: string): string {
  return print(
    visit(parse(query), {
      SelectionSet: (node) => ({
        ...node,
        selections: [
          ...node.selections,
          { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } },
        ],
      }),
    }),
  );
}

/** Defines the client-library scenarios against a started city graph. */
export function defineClientLibraryScenarios(graph: () => CityGraph): void {
  describe('Apollo Client', () => {
    it('normalizes every entity of the README’s queries by __typename and id, with no keyFields', async () => {
      const client = createCityApolloClient({ uri: graph().gatewayUrl });
      for (const example of EXPLORER_EXAMPLES) {
        const result = await client.query({ query: gql(example.query) });
        expect(result.error, example.title).toBeUndefined();
        const cache = client.cache.extract() as Record<string, unknown>;
        const entities = typedObjects(result.data).filter(
          (o) => (o['__typename'] as string) in NODE_ID_FORMS,
        );
        expect(entities.length, example.title).toBeGreaterThan(0);
        for (const entity of entities) {
          // The README asks every entity's id, as apps should.
          expect(
            entity['id'],
            `${example.title}: ${String(entity['__typename'])}`,
          ).toEqual(expect.any(String));
          expect(
            cache[`${String(entity['__typename'])}:${String(entity['id'])}`],
          ).toBeDefined();
        }
      }
      const cache = client.cache.extract() as Record<
        string,
        Record<string, unknown>
      >;
      expect(cache['District:13203']).toMatchObject({
        __typename: 'District',
        id: '13203',
        name: 'Marseille 3e Arrondissement',
      });
      // A root lookup is a reference to the normalized district.
      expect(cache['ROOT_QUERY']?.['district({"code":"13203"})']).toEqual({
        __ref: 'District:13203',
      });
    });

    it('pages with relayStylePagination: fetchMore pages merge into one list, the same as one larger page', async () => {
      const client = createCityApolloClient({ uri: graph().gatewayUrl });
      const merged = await loadTrafficSensorPages(client, 5, 3);
      const ids = merged.trafficSensors?.edges.map((e) => e.node.id) ?? [];
      const whole = await graph().query(
        '{ trafficSensors(first: 15) { edges { cursor node { id } } pageInfo { hasNextPage } } }',
      );
      const wholeConnection = whole.data?.['trafficSensors'] as {
        edges: { cursor: string; node: { id: string } }[];
        pageInfo: { hasNextPage: boolean };
      };
      expect(ids).toEqual(wholeConnection.edges.map((e) => e.node.id));
      expect(merged.trafficSensors?.pageInfo.hasNextPage).toBe(
        wholeConnection.pageInfo.hasNextPage,
      );
      expect(merged.trafficSensors?.pageInfo.endCursor).toBe(
        wholeConnection.edges.at(-1)?.cursor,
      );
      // And backward from the end of that list: the five before its last one.
      const before = await graph().query(
        'query ($before: String) { trafficSensors(last: 5, before: $before) { nodes { id } pageInfo { hasPreviousPage hasNextPage } } }',
        { before: wholeConnection.edges.at(-1)?.cursor },
      );
      expect(before.errors).toBeUndefined();
      expect(before.data?.['trafficSensors']).toEqual({
        nodes: ids.slice(9, 14).map((id) => ({ id })),
        pageInfo: { hasPreviousPage: true, hasNextPage: true },
      });
    });
  });

  describe('urql', () => {
    it('works with its defaults: queries go as GET without a content type, and are answered', async () => {
      const sent: { method: string; contentType: string | null }[] = [];
      const client = createCityUrqlClient({
        url: graph().gatewayUrl,
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          sent.push({
            method: init?.method ?? 'GET',
            contentType: headers.get('content-type'),
          });
          return fetch(input, init);
        },
      });
      const data = await districtBikes(client, '13201');
      expect(data?.district?.name).toBe('Marseille 1er Arrondissement');
      expect(data?.bikeStations?.nodes.length).toBeGreaterThan(0);
      for (const example of EXPLORER_EXAMPLES) {
        const result = await client.query(example.query, {}).toPromise();
        expect(result.error, example.title).toBeUndefined();
        expect(result.data).toBeTruthy();
      }
      expect(sent.length).toBe(1 + EXPLORER_EXAMPLES.length);
      for (const request of sent)
        expect(request).toEqual({ method: 'GET', contentType: null });
    });
  });

  describe('urql Graphcache', () => {
    it('normalizes every entity of the README’s queries by __typename and id, with no keys written: another query reads them from the cache alone', async () => {
      const warnings: string[] = [];
      let requests = 0;
      const client = createCityGraphcacheClient({
        url: graph().gatewayUrl,
        schema: await fetchCitySchema(graph().gatewayUrl),
        logger: (_level, message) => warnings.push(message),
        fetch: (input, init) => {
          requests++;
          return fetch(input, init);
        },
      });
      // Each entity's scalar fields as the README's queries answered them.
      const seen = new Map<string, Record<string, unknown>>();
      for (const example of EXPLORER_EXAMPLES) {
        const result = await client
          .query(withTypenames(example.query), {})
          .toPromise();
        expect(result.error, example.title).toBeUndefined();
        for (const entity of typedObjects(result.data)) {
          const typename = entity['__typename'] as string;
          if (!(typename in NODE_ID_FORMS)) continue;
          const key = `${typename}:${String(entity['id'])}`;
          const scalars = Object.fromEntries(
            // (A null may be an object field: left out, as objects are.)
            Object.entries(entity).filter(
              ([, v]) => typeof v !== 'object' && v !== undefined,
            ),
          );
          seen.set(key, { ...seen.get(key), ...scalars });
        }
      }
      expect(new Set([...seen.values()].map((e) => e['__typename']))).toEqual(
        new Set([
          'District',
          'AirQualityStation',
          'TrafficSensor',
          'Workshop',
          'Startup',
          'InnovationHub',
          'TransitStop',
          'TransitLine',
        ]),
      );
      // One `node(id:)` per entity, asking the fields it was answered with:
      // Graphcache can answer them only from records keyed by type and id.
      const entities = [...seen.values()];
      const lookups = entities.map(
        (entity, i) =>
          `e${i}: node(id: ${JSON.stringify(entity['id'])}) { __typename ... on ${String(entity['__typename'])} { ${Object.keys(
            entity,
          )
            .filter((field) => field !== '__typename')
            .join(' ')} } }`,
      );
      const before = requests;
      const cached = await client
        .query(
          `query Cached { ${lookups.join(' ')} }`,
          {},
          {
            requestPolicy: 'cache-only',
          },
        )
        .toPromise();
      expect(cached.error).toBeUndefined();
      expect(Object.values(cached.data ?? {})).toEqual(entities);
      expect(cached.operation.context.meta?.cacheOutcome).toBe('hit');
      const list = await client
        .query(
          'query CachedList($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }',
          { ids: entities.map((e) => e['id']) },
          { requestPolicy: 'cache-only' },
        )
        .toPromise();
      expect(list.data?.nodes).toEqual(
        entities.map((e) => ({ __typename: e['__typename'], id: e['id'] })),
      );
      expect(requests).toBe(before);
      // No "no key could be generated" warning: the types without an id are
      // embedded as configured from the schema, the entities keyed by id.
      expect(warnings).toEqual([]);
    });

    it('pages with relayPagination: each page after the last end cursor answers the merged list, the same as one larger page, and a filtered list stays apart', async () => {
      const client = createCityGraphcacheClient({
        url: graph().gatewayUrl,
        schema: await fetchCitySchema(graph().gatewayUrl),
      });
      const merged = await loadGraphcachePages(client, 5, 3);
      const whole = await graph().query(
        '{ trafficSensors(first: 15) { edges { cursor node { id } } pageInfo { hasNextPage } } }',
      );
      const wholeConnection = whole.data?.['trafficSensors'] as {
        edges: { cursor: string; node: { id: string } }[];
        pageInfo: { hasNextPage: boolean };
      };
      expect(wholeConnection.edges.length).toBe(15);
      expect(merged.trafficSensors?.edges.map((e) => e.node.id)).toEqual(
        wholeConnection.edges.map((e) => e.node.id),
      );
      expect(merged.trafficSensors?.pageInfo).toEqual({
        hasNextPage: wholeConnection.pageInfo.hasNextPage,
        endCursor: wholeConnection.edges.at(-1)?.cursor,
      });
      // One district's list is another field in the cache: not mixed in.
      const district = await loadGraphcachePages(client, 2, 2, '13201');
      const ids = district.trafficSensors?.edges.map((e) => e.node.id) ?? [];
      expect(ids.length).toBeGreaterThan(2);
      for (const id of ids) expect(id).toMatch(/^mob-ts-13201-/);
    });
  });

  describe('Relay', () => {
    const sent: { method: string; contentType: string | null }[] = [];
    const environment = () =>
      createCityRelayEnvironment({
        url: graph().gatewayUrl,
        fetch: (input, init) => {
          sent.push({
            method: init?.method ?? 'GET',
            contentType: new Headers(init?.headers).get('content-type'),
          });
          return fetch(input, init);
        },
      });

    it('pages a @connection as usePaginationFragment does: each page after the end cursor is appended to one list, the same as one larger page', async () => {
      const relay = environment();
      const list = await loadRelayPages(relay, 5, 3);
      const whole = await graph().query(
        '{ trafficSensors(first: 15) { edges { cursor node { id roadName } } pageInfo { hasNextPage } } }',
      );
      const wholeConnection = whole.data?.['trafficSensors'] as {
        edges: { cursor: string; node: { id: string; roadName: string } }[];
        pageInfo: { hasNextPage: boolean };
      };
      expect(wholeConnection.edges.length).toBe(15);
      expect(
        list.sensors.map((s) => ({ id: s.id, roadName: s.roadName })),
      ).toEqual(wholeConnection.edges.map((e) => e.node));
      expect(list.hasNextPage).toBe(wholeConnection.pageInfo.hasNextPage);
      expect(list.endCursor).toBe(wholeConnection.edges.at(-1)?.cursor);
      // Records keyed by type and id (the store's getDataID).
      expect(list.dataIds).toEqual(
        list.sensors.map((s) => `TrafficSensor:${s.id}`),
      );
      expect(sent.length).toBeGreaterThanOrEqual(3);
      for (const request of sent)
        expect(request).toEqual({
          method: 'POST',
          contentType: 'application/json',
        });
    });

    it('refetches a sensor by its id alone with the compiler’s node(id:) query, the same object as the type’s own lookup, into the record the list holds', async () => {
      const relay = environment();
      const list = await loadRelayPages(relay, 5, 1);
      const listed = list.sensors[0];
      expect(listed).toBeDefined();
      const id = listed?.id ?? '';
      const refetched = await refetchTrafficSensor(relay, id);
      const own = await graph().query(
        'query ($id: ID!) { trafficSensor(id: $id) { id roadName district { id name } latestReading { id observedAt occupancy } } }',
        { id },
      );
      expect(own.errors).toBeUndefined();
      expect(refetched).toEqual(own.data?.['trafficSensor']);
      expect(refetched).toEqual(listed);
      const observedAt = refetched?.latestReading?.observedAt;
      if (observedAt !== undefined)
        expect(observedAt).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
      const records = Object.keys(
        relay.getStore().getSource().toJSON() as Record<string, unknown>,
      );
      expect(records).toContain(`TrafficSensor:${id}`);
      expect(records).not.toContain(id);
      // A well-formed id that names nothing: null, as node(id:) answers.
      expect(await refetchTrafficSensor(relay, 'mob-ts-99999-99')).toBeNull();
    });
  });

  describe('graphql-request', () => {
    it('sends the token in the authorization header: a protected field answers for staff, is refused anonymously', async () => {
      const anonymous = createCityRequestClient(graph().gatewayUrl);
      await expect(
        trafficLight(anonymous, 'mob-tl-13201-01'),
      ).rejects.toMatchObject({
        response: {
          data: {
            trafficLight: { id: 'mob-tl-13201-01', signalPlan: null },
          },
          errors: [
            expect.objectContaining({
              path: ['trafficLight', 'signalPlan'],
              extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
            }),
          ],
        },
      });
      const staff = createCityRequestClient(
        graph().gatewayUrl,
        await graph().token('agent-01', ['mobility:staff']),
      );
      const answer = await trafficLight(staff, 'mob-tl-13201-01');
      expect(answer.trafficLight?.signalPlan).toMatchObject({
        cycleSeconds: expect.any(Number),
      });
    });
  });

  describe('GraphQL Code Generator client preset', () => {
    it('types the example’s operations from the supergraph, DateTime as an RFC 3339 string, and they run', async () => {
      const client = new GraphQLClient(graph().gatewayUrl);
      const district = await districtReport(client, '13203');
      expect(district?.id).toBe('13203');
      expect(district?.congestion?.observedAt).toMatch(
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
      );
      expect(congestionObservedAt(district)?.getTime()).toEqual(
        expect.any(Number),
      );
    });
  });

  describe('scalars as an app outside the repository sees them', () => {
    it('introspection from the gateway gives each custom scalar its description and specifiedByURL', async () => {
      const answer = await graph().query(
        getIntrospectionQuery({ specifiedByUrl: true }),
      );
      const types = (answer.data as unknown as IntrospectionQuery | undefined)
        ?.__schema.types;
      const custom = (types ?? []).filter(
        (t) =>
          t.kind === 'SCALAR' &&
          !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name),
      );
      expect(custom.map((t) => t.name)).toEqual(['DateTime']);
      expect(custom[0]).toMatchObject({
        description: expect.stringContaining('RFC 3339') as string,
        specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
      });
    });
  });

  describe('a web app on another origin', () => {
    const query = '{ districts { id } }';
    const preflight = (origin: string) =>
      fetch(graph().gatewayUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const post = (origin: string) =>
      fetch(graph().gatewayUrl, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });

    it('is allowed from a CORS_ORIGINS origin and from localhost in development: preflight, then the request', async () => {
      for (const origin of [
        'https://portal.marseille.fr',
        'http://localhost:5173',
      ]) {
        const answer = await preflight(origin);
        expect(answer.status, origin).toBe(204);
        expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
        expect(answer.headers.get('access-control-allow-headers')).toBe(
          'content-type, authorization',
        );
        expect(
          answer.headers.get('access-control-allow-credentials'),
        ).toBeNull();
        const response = await post(origin);
        expect(response.status).toBe(200);
        expect(response.headers.get('access-control-allow-origin')).toBe(
          origin,
        );
        expect(
          ((await response.json()) as { data: { districts: unknown[] } }).data
            .districts.length,
        ).toBe(16);
      }
    });

    it('is refused from any other origin, preflight and request, with no CORS header', async () => {
      const origin = 'https://elsewhere.example';
      const answer = await preflight(origin);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      const response = await post(origin);
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
}
