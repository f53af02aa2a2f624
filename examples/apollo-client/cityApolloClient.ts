/**
 * Example app: Apollo Client (4.x) against the city graph (docs/clients.md,
 * "Apollo Client"). The default cache normalizes every entity by
 * `__typename` and `id` (a district's id is its code): no `keyFields`. The
 * only type policies are the pagination ones: each connection field merges
 * its pages with `relayStylePagination`, keyed by its filter arguments.
 */
import {
  ApolloClient,
  HttpLink,
  InMemoryCache,
  gql,
  type TypedDocumentNode,
} from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

/** Options of {@link createCityApolloClient}. */
export interface CityApolloClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  uri: string;
  /** A caller token (docs/access-control.md); anonymous without. */
  token?: string;
  /** Self-declared client name, recorded in the audit trail. @default 'apollo-client-example' */
  clientName?: string;
}

/**
 * The city graph's connection fields and the arguments that select a
 * different list (the paging arguments `first`/`after`/`last`/`before` never
 * do): Apollo keeps one merged list per combination of these.
 */
const CONNECTIONS: Record<string, Record<string, string[]>> = {
  Query: {
    trafficSensors: ['district'],
    trafficLights: ['district'],
    trafficReadings: ['district', 'range'],
    bikeStations: ['district'],
    airQualityStations: ['district'],
    airQualityReadings: ['district', 'range'],
    noiseLevels: ['district', 'range'],
    waterMeters: ['district'],
    waterConsumption: ['district', 'range'],
    waterLeakAlerts: ['district', 'status'],
    renewableEnergyProjects: ['district', 'type', 'status'],
    businesses: ['district', 'sector'],
    startups: ['stage', 'sector'],
    investments: ['startup', 'round', 'range'],
    marketIndicators: ['district', 'range'],
    workshops: ['district', 'topic', 'range'],
    citizenReports: ['district', 'status', 'serviceCode', 'range'],
    surveys: ['district', 'status'],
    digitalInclusionIndicators: ['district', 'range'],
  },
  District: {
    trafficSensors: [],
    businesses: ['sector'],
    marketIndicators: ['range'],
    workshops: ['range'],
    citizenReports: ['status', 'range'],
  },
  TrafficSensor: { readings: ['range'] },
  TrafficLight: { reports: ['status'] },
  AirQualityStation: { readings: ['range'], noiseLevels: ['range'] },
  WaterMeter: { readings: ['range'], leakAlerts: ['status'] },
  Startup: { investments: [] },
  Workshop: { enrolments: [] },
};

/** An Apollo Client for the city graph. */
export function createCityApolloClient(
  options: CityApolloClientOptions,
): ApolloClient {
  const typePolicies = Object.fromEntries(
    Object.entries(CONNECTIONS).map(([type, fields]) => [
      type,
      {
        fields: Object.fromEntries(
          Object.entries(fields).map(([field, keyArgs]) => [
            field,
            relayStylePagination(keyArgs.length > 0 ? keyArgs : false),
          ]),
        ),
      },
    ]),
  );
  return new ApolloClient({
    link: new HttpLink({
      uri: options.uri,
      headers: {
        'apollographql-client-name':
          options.clientName ?? 'apollo-client-example',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
    }),
    cache: new InMemoryCache({ typePolicies }),
  });
}

/** One page of traffic sensors, as edges. */
export interface TrafficSensorPage {
  trafficSensors: {
    edges: { cursor: string; node: { id: string; roadName: string } }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  } | null;
}

/** Pages through traffic sensors (the list a control-room app scrolls). */
export const TRAFFIC_SENSORS: TypedDocumentNode<
  TrafficSensorPage,
  { first: number; after?: string | null; district?: string }
> = gql`
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
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

/**
 * Loads `pages` pages of traffic sensors with `fetchMore`, as an infinite
 * list does; relayStylePagination merges them into one list in the cache.
 */
export async function loadTrafficSensorPages(
  client: ApolloClient,
  pageSize: number,
  pages: number,
): Promise<TrafficSensorPage> {
  const query = client.watchQuery({
    query: TRAFFIC_SENSORS,
    variables: { first: pageSize },
  });
  let subscription: { unsubscribe(): void } | undefined;
  try {
    let current = await new Promise<TrafficSensorPage>((resolve, reject) => {
      subscription = query.subscribe({
        next: (result) => {
          if (result.dataState === 'complete') resolve(result.data);
        },
        error: reject,
      });
    });
    for (let page = 1; page < pages; page++) {
      const endCursor = current.trafficSensors?.pageInfo.endCursor;
      if (!endCursor) break;
      await query.fetchMore({ variables: { after: endCursor } });
      // The merged list, read from the cache (the watcher is told of it
      // asynchronously; the cache already holds it).
      const merged = client.readQuery({
        query: TRAFFIC_SENSORS,
        variables: { first: pageSize },
      });
      if (!merged) break;
      current = merged;
    }
    return current;
  } finally {
    subscription?.unsubscribe();
  }
}
