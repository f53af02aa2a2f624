/**
 * Example app: typed operations from GraphQL Code Generator's client preset
 * (docs/clients.md, "GraphQL Code Generator"). `npm run codegen` generates
 * `./__generated__/` from the supergraph with `strictScalars` and no
 * `scalars` map; each `graphql()` call below returns a TypedDocumentNode,
 * so the answer of `districtReport` is typed from the schema, `DateTime`
 * included (a `string`).
 */
import { type GraphQLClient } from 'graphql-request';
import { graphql } from './__generated__/index.js';
import type { DistrictReportQuery } from './__generated__/graphql.js';

/** One district's congestion and air quality, with when each was observed. */
export const DistrictReportDocument = graphql(`
  query DistrictReport($code: ID!) {
    district(code: $code) {
      id
      name
      congestion {
        congestedSensors
        averageSpeed {
          value
          unit
        }
        observedAt
      }
      airQuality {
        index {
          level
          band
        }
        observedAt
      }
    }
  }
`);

/** The newest traffic readings of one sensor: a typed connection page. */
export const SensorReadingsDocument = graphql(`
  query SensorReadings($id: ID!, $first: Int!) {
    trafficSensor(id: $id) {
      id
      roadName
      readings(first: $first) {
        edges {
          cursor
          node {
            id
            observedAt
            occupancy
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

/** Fetches one district's report; the result's type comes from the schema. */
export async function districtReport(
  client: GraphQLClient,
  code: string,
): Promise<DistrictReportQuery['district']> {
  const data = await client.request(DistrictReportDocument, { code });
  return data.district;
}

/** When the district's congestion was last observed, as a Date (DateTime is an RFC 3339 string). */
export function congestionObservedAt(
  district: DistrictReportQuery['district'],
): Date | null {
  const observedAt = district?.congestion?.observedAt;
  return observedAt == null ? null : new Date(observedAt);
}
