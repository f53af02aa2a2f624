/**
 * Example app: Relay (relay-runtime 21, relay-compiler 21) against the city
 * graph (docs/clients.md, "Relay"), without React: what react-relay's
 * `usePaginationFragment` and `useRefetchableFragment` do, done with
 * relay-runtime's own functions, so it runs in Node and in CI.
 *
 * `npm run relay` writes the graph's API schema to examples/relay/schema.graphql
 * and compiles the operations below into examples/relay/__generated__/. An
 * app with Babel gets the artifacts through babel-plugin-relay's `graphql`
 * tag; this one has no Babel step, so it imports the artifacts and tags its
 * documents with {@link graphql} below, which only the compiler reads.
 */
import {
  Environment,
  Network,
  RecordSource,
  Store,
  createOperationDescriptor,
  fetchQuery,
  getSelector,
  type FetchFunction,
  type GraphQLResponse,
} from 'relay-runtime';
import cityRelayTrafficSensorRefetchQuery, {
  type cityRelayTrafficSensorRefetchQuery as TrafficSensorRefetch,
} from './__generated__/cityRelayTrafficSensorRefetchQuery.graphql.js';
import cityRelayTrafficSensorsPaginationQuery from './__generated__/cityRelayTrafficSensorsPaginationQuery.graphql.js';
import cityRelayTrafficSensorsQuery from './__generated__/cityRelayTrafficSensorsQuery.graphql.js';
import cityRelay_trafficSensor, {
  type cityRelay_trafficSensor$data,
  type cityRelay_trafficSensor$key,
} from './__generated__/cityRelay_trafficSensor.graphql.js';
import cityRelay_trafficSensors, {
  type cityRelay_trafficSensors$data,
  type cityRelay_trafficSensors$key,
} from './__generated__/cityRelay_trafficSensors.graphql.js';

/**
 * The tag relay-compiler looks for. Relay's own `graphql` throws when called
 * without babel-plugin-relay; the documents are never used at run time (the
 * artifacts are), so this one only returns the text.
 */
function graphql(strings: TemplateStringsArray): string {
  return strings.join('');
}

/** The documents relay-compiler compiles into __generated__/ (kept here, beside their use). */
export const DOCUMENTS = [
  // A traffic sensor as a card shows it; `@refetchable` makes the compiler
  // write a `node(id:)` query that refetches exactly this fragment.
  graphql`
    fragment cityRelay_trafficSensor on TrafficSensor
    @refetchable(queryName: "cityRelayTrafficSensorRefetchQuery") {
      id
      roadName
      district {
        id
        name
      }
      latestReading {
        id
        observedAt
        occupancy
      }
    }
  `,
  // The list of sensors, paged as `usePaginationFragment` pages it: the
  // compiler writes the pagination query and the connection's metadata.
  graphql`
    fragment cityRelay_trafficSensors on Query
    @argumentDefinitions(
      count: { type: "Int", defaultValue: 5 }
      cursor: { type: "String" }
    )
    @refetchable(queryName: "cityRelayTrafficSensorsPaginationQuery") {
      trafficSensors(first: $count, after: $cursor)
        @connection(key: "cityRelay_trafficSensors") {
        edges {
          node {
            id
            ...cityRelay_trafficSensor
          }
        }
      }
    }
  `,
  graphql`
    query cityRelayTrafficSensorsQuery($count: Int) {
      ...cityRelay_trafficSensors @arguments(count: $count)
    }
  `,
];

/** Options of {@link createCityRelayEnvironment}. */
export interface CityRelayEnvironmentOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** A caller token (docs/access-control.md); anonymous without. */
  token?: string;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * A Relay environment for the city graph. The network sends `POST` with
 * `content-type: application/json`, which the gateway's CSRF rule accepts.
 * Relay keys records by id alone; `Node` ids are unique across the graph but
 * readings of two types can share one, so the store's data id adds the type.
 */
export function createCityRelayEnvironment(
  options: CityRelayEnvironmentOptions,
): Environment {
  const fetchFn = options.fetch ?? fetch;
  const network: FetchFunction = async (request, variables) => {
    const response = await fetchFn(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ query: request.text, variables }),
    });
    return (await response.json()) as GraphQLResponse;
  };
  const getDataID = (field: Record<string, unknown>, typeName: string) =>
    field['id'] == null ? undefined : `${typeName}:${String(field['id'])}`;
  // The store checks what it holds with the same ids (its constructor takes
  // `getDataID` at run time; its TypeScript options type omits it).
  const storeOptions = { getDataID } as ConstructorParameters<typeof Store>[1];
  return new Environment({
    network: Network.create(network),
    store: new Store(new RecordSource(), storeOptions),
    getDataID,
  });
}

/** Reads a fragment from the store, as `useFragment` does. */
function readFragment<T>(
  environment: Environment,
  fragment: Parameters<typeof getSelector>[0],
  ref: unknown,
): T {
  const selector = getSelector(fragment, ref);
  if (selector === null || !('dataID' in selector))
    throw new Error('Not a reference to a single object');
  return environment.lookup(selector).data as T;
}

/** The sensors list so far, as `usePaginationFragment` would render it. */
export interface TrafficSensorList {
  sensors: cityRelay_trafficSensor$data[];
  /** The store's record id of each sensor. */
  dataIds: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

function readList(environment: Environment, count: number): TrafficSensorList {
  const operation = createOperationDescriptor(cityRelayTrafficSensorsQuery, {
    count,
  });
  const root = environment.lookup(operation.fragment).data as
    cityRelay_trafficSensors$key | undefined;
  const list = readFragment<cityRelay_trafficSensors$data>(
    environment,
    cityRelay_trafficSensors,
    root,
  );
  const edges = (list.trafficSensors?.edges ?? []).flatMap((edge) =>
    edge?.node ? [edge.node] : [],
  );
  return {
    sensors: edges.map((node) =>
      readFragment<cityRelay_trafficSensor$data>(
        environment,
        cityRelay_trafficSensor,
        node satisfies cityRelay_trafficSensor$key,
      ),
    ),
    dataIds: edges.map((node) => (node as unknown as { __id: string }).__id),
    // The connection's pageInfo, which @connection asks for itself.
    ...pageInfo(list),
  };
}

function pageInfo(list: cityRelay_trafficSensors$data): {
  hasNextPage: boolean;
  endCursor: string | null;
} {
  const info = (
    list.trafficSensors as unknown as {
      pageInfo?: { hasNextPage: boolean; endCursor?: string | null };
    } | null
  )?.pageInfo;
  return {
    hasNextPage: info?.hasNextPage ?? false,
    endCursor: info?.endCursor ?? null,
  };
}

/**
 * Loads the first `count` sensors, then `pages - 1` more pages after the
 * connection's end cursor, as `loadNext(count)` does: Relay's connection
 * handler appends each page's edges to the one list in the store.
 */
export async function loadTrafficSensorPages(
  environment: Environment,
  count: number,
  pages: number,
): Promise<TrafficSensorList> {
  await fetchQuery(environment, cityRelayTrafficSensorsQuery, {
    count,
  }).toPromise();
  let list = readList(environment, count);
  for (let page = 1; page < pages && list.hasNextPage; page++) {
    await fetchQuery(environment, cityRelayTrafficSensorsPaginationQuery, {
      count,
      cursor: list.endCursor,
    }).toPromise();
    list = readList(environment, count);
  }
  return list;
}

/**
 * Refetches one sensor by its id alone through the compiler's `node(id:)`
 * query, as `useRefetchableFragment`'s `refetch` does; the answer updates
 * the sensor's one record, which every list holding it reads.
 */
export async function refetchTrafficSensor(
  environment: Environment,
  id: string,
): Promise<cityRelay_trafficSensor$data | null> {
  const data = await fetchQuery<TrafficSensorRefetch>(
    environment,
    cityRelayTrafficSensorRefetchQuery,
    { id },
  ).toPromise();
  const node = data?.node;
  if (!node) return null;
  return readFragment<cityRelay_trafficSensor$data>(
    environment,
    cityRelay_trafficSensor,
    node,
  );
}
