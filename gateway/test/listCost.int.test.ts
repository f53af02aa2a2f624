/**
 * The list cost through the real gateway (createGateway, every plugin) in
 * front of one paginated subgraph (issue 13): a page size given as a
 * variable is priced with the request's value, so one document serves
 * small pages and is refused for large ones, with HTTP 400 and before any
 * subgraph is called; a subscription's, at subscribe time, with its
 * variables too (graphql-ws, an in-process event broker).
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BadUserInputError } from '../../lib/runtime/errors.js';
import { createMemoryEventBroker } from '../../lib/runtime/eventBroker.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from '../../lib/runtime/pageSizes.js';
import type { AuditEventInput } from '../../lib/records/audit/index.js';
import type { Gateway } from '../src/server.js';
import { startGatewayOver, type GatewayOver } from './startGatewayOver.js';

const SDL = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    stations(first: Int): StationConnection
    district(code: String!): District
  }
  type Subscription {
    trafficChanged(district: String!): District
  }
  type District @key(fields: "code") {
    code: String!
    stations(first: Int): StationConnection
  }
  type StationConnection {
    nodes: [Station!]!
  }
  type Station @key(fields: "id") {
    id: ID!
    name: String!
    readings(first: Int): ReadingConnection
  }
  type ReadingConnection {
    nodes: [Reading!]!
  }
  type Reading {
    id: ID!
    value: Float!
  }
`;

/** A page as the departments cut it (lib/subgraph-kit/pagination.ts `pageSize`). */
function nodes<T>(first: number | null | undefined, make: (i: number) => T) {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (size < 1 || size > MAX_PAGE_SIZE)
    throw new BadUserInputError(
      `"first" must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${size}.`,
    );
  return { nodes: Array.from({ length: size }, (_, i) => make(i)) };
}

let subgraphRequests = 0;
const broker = createMemoryEventBroker();
const events: AuditEventInput[] = [];
let over: GatewayOver;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  over = await startGatewayOver(
    {
      name: 'environment',
      sdl: SDL,
      resolvers: {
        Query: {
          stations: (_: unknown, { first }: { first?: number | null }) =>
            nodes(first, (i) => ({ id: `s${i}`, name: `Station ${i}` })),
          district: (_: unknown, { code }: { code: string }) => ({ code }),
        },
        District: {
          stations: (_: unknown, { first }: { first?: number | null }) =>
            nodes(first, (i) => ({ id: `s${i}`, name: `Station ${i}` })),
        },
        Station: {
          readings: (
            { id }: { id: string },
            { first }: { first?: number | null },
          ) => nodes(first, (i) => ({ id: `${id}-r${i}`, value: i })),
        },
      },
      plugins: [
        {
          async requestDidStart() {
            subgraphRequests += 1;
          },
        },
      ],
    },
    {
      audit: {
        record: async (event) => {
          events.push(event);
        },
        ping: async () => true,
      },
      events: broker,
    },
  );
  ({ gateway, url } = over);
});
afterAll(async () => {
  await over?.stop();
});
beforeEach(() => {
  subgraphRequests = 0;
});

interface Answer {
  status: number;
  requestId: string | null;
  body: {
    data?: { stations?: { nodes: unknown[] } | null } | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

async function post(body: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as never,
  };
}

// 1 + n × (3 + m × 2) fields: n = 10, m = 5 is 131; n = 100, m = 20 is 4,301.
const STATIONS = /* GraphQL */ `
  query Stations($n: Int, $m: Int = 5) {
    stations(first: $n) {
      nodes {
        id
        name
        readings(first: $m) {
          nodes {
            id
            value
          }
        }
      }
    }
  }
`;

describe('list cost with variable page sizes (through the gateway)', () => {
  it('serves the document with small page sizes', async () => {
    const { status, body } = await post({
      query: STATIONS,
      variables: { n: 10, m: 5 },
    });
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data?.stations?.nodes).toHaveLength(10);
    expect(subgraphRequests).toBeGreaterThan(0);
  });

  it('refuses the same document with large page sizes: HTTP 400, no subgraph call', async () => {
    const { status, body } = await post({
      query: STATIONS,
      variables: { n: 100, m: 20 },
    });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions?.['code']).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(body.errors?.[0]?.message).toMatch(/^Operation too costly/);
    expect(subgraphRequests).toBe(0);
  });

  it('audits a request refused for its cost as refused, with its code, and a served one as success', async () => {
    const served = await post({ query: STATIONS, variables: { n: 10 } });
    const refused = await post({
      query: STATIONS,
      variables: { n: 100, m: 20 },
    });
    expect(refused.status).toBe(400);
    const eventOf = (requestId: string | null) =>
      events.find((e) => e.requestId === requestId);
    expect(eventOf(served.requestId)).toMatchObject({
      outcome: 'success',
      errorCodes: [],
    });
    // The same document: its name and hash are recorded with the refusal.
    expect(eventOf(refused.requestId)).toMatchObject({
      operationName: 'Stations',
      documentHash: eventOf(served.requestId)?.documentHash,
      outcome: 'refused',
      errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
      subgraphs: [],
    });
  });

  it('prices an omitted variable at its default, and an omitted `first` at the default page', async () => {
    // $m omitted: 5; $n omitted: the default page, 20 (20 × 13 + 1 = 261).
    const served = await post({ query: STATIONS });
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data?.stations?.nodes).toHaveLength(20);
    // A default of 30 is priced as 30: 1 + 100 × (3 + 30 × 2) = 6,301.
    const refused = await post({
      query: STATIONS.replace('$m: Int = 5', '$m: Int = 30'),
      variables: { n: 100 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toMatch(/too costly/);
    expect(subgraphRequests).toBe(1);
  });

  it('refuses non-integer and string page sizes as bad input, never a 500, before any subgraph call', async () => {
    for (const n of ['100', 2.5, true, { a: 1 }, 2 ** 40]) {
      const { status, body } = await post({
        query: STATIONS,
        variables: { n },
      });
      expect(status, JSON.stringify(n)).toBeGreaterThanOrEqual(400);
      expect(status, JSON.stringify(n)).toBeLessThan(500);
      expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    }
    expect(subgraphRequests).toBe(0);
  });

  it('counts a negative or oversized page size as the subgraphs bound it, and lets them refuse it', async () => {
    // Priced at 1 and 100 (100 × 3 + 1 = 301 with `m: 1`): not refused
    // for its cost; the subgraph answers BAD_USER_INPUT for the argument.
    for (const n of [-5, 0, 1000]) {
      const { status, body } = await post({
        query: STATIONS,
        variables: { n, m: 1 },
      });
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toMatch(/"first" must be/);
    }
  });

  it('keeps literal page sizes priced as before', async () => {
    const served = await post({
      query:
        '{ stations(first: 10) { nodes { id readings(first: 5) { nodes { id } } } } }',
    });
    expect(served.body.errors).toBeUndefined();
    const refused = await post({
      query:
        '{ stations(first: 100) { nodes { id readings(first: 30) { nodes { id } } } } }',
    });
    expect(refused.status).toBe(400);
    // GraphQL Armor's own cost refuses it too; the list cost is beside it.
    expect(
      refused.body.errors?.map((e) => [e.extensions?.['code'], e.message]),
    ).toContainEqual([
      'GRAPHQL_VALIDATION_FAILED',
      expect.stringMatching(/^Operation too costly/),
    ]);
  });

  it('multiplies fragments and aliases spread under a variable page', async () => {
    const query = /* GraphQL */ `
      query ($n: Int) {
        stations(first: $n) {
          nodes {
            ...R
            b: readings(first: 10) {
              nodes {
                ...V
              }
            }
          }
        }
      }
      fragment R on Station {
        a: readings(first: 10) {
          nodes {
            ...V
          }
        }
      }
      fragment V on Reading {
        id
        value
      }
    `;
    // 1 + n × 2 × (1 + 10 × 2): n = 10 is 421, n = 100 is 4,201.
    const served = await post({ query, variables: { n: 10 } });
    expect(served.body.errors).toBeUndefined();
    subgraphRequests = 0;
    const refused = await post({ query, variables: { n: 100 } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toMatch(/too costly/);
    expect(subgraphRequests).toBe(0);
  });
});

describe('list cost of a subscription with variable page sizes', () => {
  // As STATIONS under the district: 3 + n × (3 + m × 2) fields; with every
  // variable page at 100 (what subscribe time used to price) 2,030,303.
  const BUSY = /* GraphQL */ `
    subscription Busy($n: Int, $m: Int = 5) {
      trafficChanged(district: "13202") {
        code
        stations(first: $n) {
          nodes {
            id
            name
            readings(first: $m) {
              nodes {
                id
                value
              }
            }
          }
        }
      }
    }
  `;
  let client: Client;
  beforeAll(() => {
    client = createClient({
      url: url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
  });
  afterAll(async () => {
    await client?.dispose();
  });

  /** Subscribes with `variables`; resolves with the first message or the refusal. */
  const first = (variables: Record<string, unknown>) =>
    new Promise<{ next?: unknown; error?: unknown }>((resolve) => {
      const stop = client.subscribe(
        { query: BUSY, variables },
        {
          next: (value) => {
            stop();
            resolve({ next: value });
          },
          error: (error) => resolve({ error }),
          complete: () => {},
        },
      );
    });

  it('serves small page sizes: priced with the variables, not as 100 each', async () => {
    const open = gateway.live.openSubscriptions;
    const message = first({ n: 10, m: 5 });
    await expect.poll(() => gateway.live.openSubscriptions).toBe(open + 1);
    await broker.append('mobility', [
      {
        id: 'traffic-13202-1',
        department: 'mobility',
        type: 'traffic.changed',
        entity: { type: 'District', id: '13202' },
        district: '13202',
        occurredAt: new Date(),
        payload: {},
      },
    ]);
    const { next, error } = await message;
    expect(error).toBeUndefined();
    const district = (
      next as {
        data: { trafficChanged: { stations: { nodes: unknown[] } } };
      }
    ).data.trafficChanged;
    expect(district.stations.nodes).toHaveLength(10);
    await expect.poll(() => gateway.live.openSubscriptions).toBe(open);
  });

  it('refuses the same subscription with large page sizes, as over POST', async () => {
    subgraphRequests = 0;
    const open = gateway.live.openSubscriptions;
    // The refusal is the subscription's one result (graphql-ws `next`).
    const { next, error } = await first({ n: 100, m: 20 });
    expect(error).toBeUndefined();
    expect(next).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^Operation too costly/),
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(gateway.live.openSubscriptions).toBe(open);
    expect(subgraphRequests).toBe(0);
  });
});
