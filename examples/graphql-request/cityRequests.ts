/**
 * Example app: graphql-request (7.x) against the city graph (docs/clients.md,
 * "graphql-request"): one `POST` with `content-type: application/json` per
 * call, what the gateway's CSRF rule accepts; a token goes in the
 * `authorization` header.
 */
import { GraphQLClient, gql } from 'graphql-request';

/** A graphql-request client for the city graph. */
export function createCityRequestClient(
  url: string,
  token?: string,
): GraphQLClient {
  return new GraphQLClient(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** A traffic light, and its signal plan for traffic-control staff. */
export const TRAFFIC_LIGHT = gql`
  query TrafficLight($id: ID!) {
    trafficLight(id: $id) {
      id
      name
      signalPlan {
        id
        name
        cycleSeconds
      }
    }
  }
`;

/** What {@link TRAFFIC_LIGHT} answers. */
export interface TrafficLightAnswer {
  trafficLight: {
    id: string;
    name: string;
    signalPlan: { id: string; name: string; cycleSeconds: number } | null;
  } | null;
}

/** One traffic light; its signal plan is null (with a FORBIDDEN error) without the scope. */
export async function trafficLight(
  client: GraphQLClient,
  id: string,
): Promise<TrafficLightAnswer> {
  return client.request<TrafficLightAnswer>(TRAFFIC_LIGHT, { id });
}
