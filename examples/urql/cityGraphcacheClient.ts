/**
 * Example app: urql with Graphcache (@urql/exchange-graphcache 9), the
 * normalized cache, against the city graph (docs/clients.md, "urql").
 *
 * Nothing here names a type or a field of the city graph: the whole cache
 * configuration is read from the graph's introspection, which the app
 * fetches once ({@link fetchCitySchema}) or ships with its build.
 * - Entities need no `keys`: each has an `id`, and Graphcache keys it by
 *   `__typename` and `id` by default. The types without an `id` (values such
 *   as `Quantity`, `GeoPoint`, the summaries) are declared embedded in their
 *   parent (`() => null`), which is what Graphcache does with them anyway,
 *   but without warning about each one.
 * - Every connection field pages with `relayPagination()`.
 * - `node(id:)` and `nodes(ids:)` are answered from the cache when it holds
 *   the objects (a cache redirect: the id's type is the `Node` type whose
 *   record has that id).
 */
import { Client, fetchExchange, gql } from '@urql/core';
import {
  cacheExchange,
  type Cache,
  type CacheExchangeOpts,
  type KeyingConfig,
  type Logger,
  type ResolverConfig,
} from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import {
  getIntrospectionQuery,
  type IntrospectionObjectType,
  type IntrospectionQuery,
  type IntrospectionTypeRef,
} from 'graphql';

/** Options of {@link createCityGraphcacheClient}. */
export interface CityGraphcacheClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** The graph's introspection ({@link fetchCitySchema}). */
  schema: IntrospectionQuery;
  /** A caller token (docs/access-control.md); anonymous without. */
  token?: string;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Where Graphcache's warnings go. @default console */
  logger?: Logger;
}

/** The city graph's introspection, as Graphcache's `schema` option takes it. */
export async function fetchCitySchema(
  url: string,
  fetchFn: typeof fetch = fetch,
): Promise<IntrospectionQuery> {
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await response.json()) as {
    data?: IntrospectionQuery;
    errors?: unknown[];
  };
  if (!body.data)
    throw new Error(`Introspection failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The named type under a field's list and non-null wrappers. */
function namedType(ref: IntrospectionTypeRef): string {
  return ref.kind === 'LIST' || ref.kind === 'NON_NULL'
    ? namedType(ref.ofType)
    : ref.name;
}

/** The configuration Graphcache needs for the city graph, read from its schema. */
export function cityGraphcacheConfig(
  schema: IntrospectionQuery,
): Pick<CacheExchangeOpts, 'schema' | 'keys' | 'resolvers'> {
  const objects = schema.__schema.types.filter(
    (t): t is IntrospectionObjectType =>
      t.kind === 'OBJECT' && !t.name.startsWith('__'),
  );
  const queryType = schema.__schema.queryType.name;
  const keys: KeyingConfig = {};
  const resolvers: ResolverConfig = {};
  for (const type of objects) {
    if (!type.fields.some((f) => f.name === 'id')) keys[type.name] = () => null;
    for (const field of type.fields) {
      const args = new Set(field.args.map((a) => a.name));
      if (
        namedType(field.type).endsWith('Connection') &&
        args.has('first') &&
        args.has('after')
      )
        (resolvers[type.name] ??= {})[field.name] = relayPagination();
    }
  }
  delete keys[queryType];
  const node = schema.__schema.types.find((t) => t.name === 'Node');
  const nodeTypes =
    node?.kind === 'INTERFACE' ? node.possibleTypes.map((t) => t.name) : [];
  // The key of the cached `Node` with this id, if the cache holds one; else
  // undefined, a cache miss, so the query goes to the graph.
  const nodeKey = (cache: Cache, id: unknown) =>
    nodeTypes
      .map((typename) =>
        cache.keyOfEntity({ __typename: typename, id: id as string }),
      )
      .find((key) => key !== null && cache.resolve(key, 'id') != null);
  resolvers[queryType] = {
    ...resolvers[queryType],
    node: (_parent, args, cache) => nodeKey(cache, args['id']),
    nodes: (_parent, args, cache) => {
      const found = (args['ids'] as unknown[]).map((id) => nodeKey(cache, id));
      return found.every((key) => key !== undefined) ? found : undefined;
    },
  };
  return { schema, keys, resolvers };
}

/** A urql client for the city graph with Graphcache, configured from the graph's schema. */
export function createCityGraphcacheClient(
  options: CityGraphcacheClientOptions,
): Client {
  return new Client({
    url: options.url,
    exchanges: [
      cacheExchange({
        ...cityGraphcacheConfig(options.schema),
        ...(options.logger ? { logger: options.logger } : {}),
      }),
      fetchExchange,
    ],
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.token
      ? {
          fetchOptions: {
            headers: { authorization: `Bearer ${options.token}` },
          },
        }
      : {}),
  });
}

/** One page of traffic sensors, as edges (the merged list with relayPagination). */
export interface TrafficSensorPage {
  trafficSensors: {
    edges: { cursor: string; node: { id: string; roadName: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  } | null;
}

/** Pages through traffic sensors, optionally of one district. */
export const TRAFFIC_SENSORS = gql<
  TrafficSensorPage,
  { first: number; after?: string | null; district?: string | null }
>`
  query TrafficSensors($first: Int!, $after: String, $district: ID) {
    trafficSensors(first: $first, after: $after, district: $district) {
      edges {
        cursor
        node {
          id
          roadName
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/**
 * Loads `pages` pages of traffic sensors, each after the last one's end
 * cursor, as an infinite list does; relayPagination answers each with every
 * page so far, merged into one list.
 */
export async function loadTrafficSensorPages(
  client: Client,
  pageSize: number,
  pages: number,
  district: string | null = null,
): Promise<TrafficSensorPage> {
  let after: string | null = null;
  let current: TrafficSensorPage | undefined;
  for (let page = 0; page < pages; page++) {
    const result = await client
      .query(TRAFFIC_SENSORS, { first: pageSize, after, district })
      .toPromise();
    if (result.error) throw result.error;
    if (!result.data) throw new Error('No data for a page of traffic sensors');
    current = result.data;
    after = current.trafficSensors?.pageInfo.endCursor ?? null;
    if (!current.trafficSensors?.pageInfo.hasNextPage) break;
  }
  if (!current) throw new Error('No page was loaded');
  return current;
}
