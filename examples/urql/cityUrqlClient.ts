/**
 * Example app: urql (@urql/core 6) against the city graph with its defaults
 * (docs/clients.md, "urql"): the document cache and the fetch exchange,
 * queries sent as `GET` (urql's `preferGetMethod: 'within-url-limit'`),
 * mutations as `POST` JSON. The gateway's CSRF rule accepts both without any
 * extra header.
 */
import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';

/** Options of {@link createCityUrqlClient}. */
export interface CityUrqlClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** A caller token (docs/access-control.md); anonymous without. */
  token?: string;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A urql client for the city graph, with urql's default exchanges and options. */
export function createCityUrqlClient(options: CityUrqlClientOptions): Client {
  return new Client({
    url: options.url,
    exchanges: [cacheExchange, fetchExchange],
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

/** A district's bike-share stations and their free bikes. */
export const DISTRICT_BIKES = gql<
  {
    district: {
      id: string;
      name: string;
    } | null;
    bikeStations: {
      nodes: { id: string; name: string; availableBikes: number }[];
    } | null;
  },
  { district: string }
>`
  query DistrictBikes($district: ID!) {
    district(code: $district) {
      id
      name
    }
    bikeStations(district: $district, first: 20) {
      nodes {
        id
        name
        availableBikes
      }
    }
  }
`;

/** The bike-share stations of one district. */
export async function districtBikes(client: Client, district: string) {
  const result = await client.query(DISTRICT_BIKES, { district }).toPromise();
  if (result.error) throw result.error;
  return result.data;
}
