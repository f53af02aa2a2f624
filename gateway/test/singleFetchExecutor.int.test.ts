/**
 * The single-fetch fast path (gateway/src/singleFetchExecutor.ts): two real
 * city gateways in front of one fake subgraph that answers canned bodies,
 * one with the fast path and one without, must give byte-identical answers
 * (status, data, errors with their paths and codes, key order) for answers
 * that need no shaping and for every kind that does; the fast path sends
 * each fetch once, and the audit event names the subgraph either way.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../lib/tooling/composition/index.js';
import { loadConfig } from '../../lib/runtime/config.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { metricsRegistry } from '../../lib/runtime/metrics.js';
import { anonymousViewer } from '../../lib/runtime/viewer.js';
import type { AuditEvent } from '../../lib/records/audit/index.js';
import { createGateway, type Gateway } from '../src/server.js';

const SDL = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.9"
      import: ["@key", "@inaccessible"]
    )
  type Query {
    sensor(id: ID!): Sensor
    sensors: [Sensor!]!
  }
  type Sensor @key(fields: "id") {
    id: ID!
    name: String
    lanes: Int!
    state: State
    owner: Owner
  }
  type Owner {
    name: String!
  }
  enum State {
    ACTIVE
    RETIRED
    SECRET @inaccessible
  }
`;

const OK = { id: 'ok', name: 'A', lanes: 2, state: 'ACTIVE', owner: null };

/** What the fake subgraph answers, by `$id` (or `list` without one). */
const ANSWERS: Record<string, { status?: number; body: string }> = {
  ok: { body: JSON.stringify({ data: { sensor: OK } }) },
  owner: {
    body: JSON.stringify({
      data: { sensor: { ...OK, id: 'owner', owner: { name: 'Ville' } } },
    }),
  },
  null: { body: JSON.stringify({ data: { sensor: null } }) },
  // The tags the response cache adds, or a field the subgraph adds.
  extra: { body: JSON.stringify({ data: { sensor: { ...OK, _x: 1 } } }) },
  order: {
    body: JSON.stringify({
      data: {
        sensor: { name: 'A', id: 'order', lanes: 2, state: null, owner: null },
      },
    }),
  },
  missing: { body: JSON.stringify({ data: { sensor: { id: 'missing' } } }) },
  nullNonNull: {
    body: JSON.stringify({ data: { sensor: { ...OK, lanes: null } } }),
  },
  secret: {
    body: JSON.stringify({ data: { sensor: { ...OK, state: 'SECRET' } } }),
  },
  badInt: { body: JSON.stringify({ data: { sensor: { ...OK, lanes: '2' } } }) },
  floatInt: {
    body: JSON.stringify({ data: { sensor: { ...OK, lanes: 2.5 } } }),
  },
  errors: {
    body: JSON.stringify({
      data: { sensor: null },
      errors: [
        {
          message: 'Not for you.',
          path: ['sensor'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    }),
  },
  codeless: {
    body: JSON.stringify({
      data: { sensor: null },
      errors: [{ message: 'Broken.', path: ['sensor'] }],
    }),
  },
  noData: { body: JSON.stringify({ data: null }) },
  down: { status: 500, body: 'oops' },
  alias: {
    body: JSON.stringify({ data: { first: { key: 'alias', name: 'A' } } }),
  },
  list: {
    body: JSON.stringify({
      data: { sensors: [OK, { ...OK, id: 'two' }] },
    }),
  },
};

const SENSOR = /* GraphQL */ `
  query Sensor($id: ID!) {
    sensor(id: $id) {
      id
      name
      lanes
      state
      owner {
        name
      }
    }
  }
`;

interface FakeSubgraph {
  url: string;
  calls: number;
  server: Server;
}

async function startFakeSubgraph(): Promise<FakeSubgraph> {
  const fake: FakeSubgraph = { url: '', calls: 0, server: createServer() };
  fake.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      fake.calls += 1;
      const { variables } = JSON.parse(body) as {
        variables?: { id?: string };
      };
      const answer = ANSWERS[variables?.id ?? 'list'] ?? ANSWERS['null'];
      res.writeHead(answer?.status ?? 200, {
        'content-type': 'application/json',
      });
      res.end(answer?.body);
    });
  });
  await new Promise<void>((resolve) =>
    fake.server.listen(0, '127.0.0.1', resolve),
  );
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/graphql`;
  return fake;
}

describe('single-fetch fast path', () => {
  let subgraph: FakeSubgraph;
  const gateways: Gateway[] = [];
  const bases: Record<'fast' | 'plain', string> = { fast: '', plain: '' };
  const events: Record<'fast' | 'plain', AuditEvent[]> = {
    fast: [],
    plain: [],
  };

  beforeAll(async () => {
    subgraph = await startFakeSubgraph();
    const composed = composeSupergraph([
      { name: 'mobility', url: subgraph.url, sdl: SDL },
    ]);
    if (!composed.ok) throw new Error('fixture does not compose');
    const signingKey = generateKeyPairSync('ed25519').privateKey;
    for (const path of ['fast', 'plain'] as const) {
      const gateway = createGateway({
        config: loadConfig({ NODE_ENV: 'test', RATE_LIMIT_REQUESTS: '0' }),
        logger: createSilentLogger(),
        authenticate: async () => anonymousViewer,
        signingKey,
        supergraph: {
          hook: async () => ({ supergraphSdl: composed.supergraphSdl }),
          current: () => composed.supergraphSdl,
          checkNow: async () => false,
        },
        audit: {
          record: async (event: AuditEvent) => void events[path].push(event),
          ping: async () => true,
        },
        usage: { record: async () => {} },
        singleFetchFastPath: path === 'fast',
      } as Parameters<typeof createGateway>[0]);
      bases[path] = await gateway.http.listen(0, '127.0.0.1');
      gateways.push(gateway);
    }
  });
  afterAll(async () => {
    for (const gateway of gateways) {
      await gateway.live.stop();
      await gateway.http.stop();
    }
    await new Promise((resolve) => subgraph.server.close(resolve));
  });

  const post = async (
    path: 'fast' | 'plain',
    body: object,
  ): Promise<{ status: number; text: string; calls: number }> => {
    const before = subgraph.calls;
    const response = await fetch(`${bases[path]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      text: await response.text(),
      calls: subgraph.calls - before,
    };
  };

  const fastCount = async (shapedBy: 'fast' | 'gateway') => {
    const metric = await metricsRegistry
      .getSingleMetric('gateway_single_fetch_operations_total')
      ?.get();
    return (
      metric?.values.find((v) => v.labels['shaped_by'] === shapedBy)?.value ?? 0
    );
  };

  /** Both gateways, the same request twice (the first one plans it). */
  const compare = async (body: object) => {
    await post('fast', body);
    await post('plain', body);
    const [fastBefore, gatewayBefore] = [
      await fastCount('fast'),
      await fastCount('gateway'),
    ];
    const fast = await post('fast', body);
    const shapedBy =
      (await fastCount('fast')) > fastBefore
        ? 'fast'
        : (await fastCount('gateway')) > gatewayBefore
          ? 'gateway'
          : 'none';
    const plain = await post('plain', body);
    expect(fast.text).toBe(plain.text);
    expect(fast.status).toBe(plain.status);
    expect(fast.calls).toBe(plain.calls);
    return { ...fast, shapedBy };
  };

  it('answers a plain single fetch with the subgraph data, once, as the gateway would', async () => {
    for (const id of ['ok', 'owner', 'null']) {
      const answer = await compare({ query: SENSOR, variables: { id } });
      expect(answer.calls).toBe(1);
      expect(answer.status).toBe(200);
      expect(answer.shapedBy, id).toBe('fast');
    }
    expect(
      JSON.parse(
        (await post('fast', { query: SENSOR, variables: { id: 'ok' } })).text,
      ),
    ).toEqual({ data: { sensor: OK } });
  });

  it('hands every answer that needs shaping to the gateway, without fetching again', async () => {
    const shaped = [
      'extra',
      'order',
      'missing',
      'nullNonNull',
      'secret',
      'badInt',
      'floatInt',
      'errors',
      'codeless',
      'noData',
      'down',
    ];
    for (const id of shaped) {
      const answer = await compare({ query: SENSOR, variables: { id } });
      expect(answer.calls, id).toBe(1);
      expect(answer.shapedBy, id).toBe('gateway');
    }
    const errors = JSON.parse(
      (await post('fast', { query: SENSOR, variables: { id: 'errors' } })).text,
    ) as { errors: { path: string[]; extensions: Record<string, unknown> }[] };
    expect(errors.errors[0]?.path).toEqual(['sensor']);
    expect(errors.errors[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      serviceName: 'mobility',
    });
  });

  it('serves aliases and lists, and leaves fragments, directives and __typename to the gateway', async () => {
    const alias = await compare({
      query: 'query A($id: ID!) { first: sensor(id: $id) { key: id name } }',
      variables: { id: 'alias' },
    });
    expect(alias.shapedBy).toBe('fast');
    const list = await compare({
      query: '{ sensors { id name lanes state owner { name } } }',
    });
    expect(list.shapedBy).toBe('fast');
    for (const query of [
      'query F($id: ID!) { sensor(id: $id) { ...S } } fragment S on Sensor { id name lanes state owner { name } }',
      'query D($id: ID!, $n: Boolean = false) { sensor(id: $id) { id name @include(if: $n) lanes state owner { name } } }',
      'query T($id: ID!) { sensor(id: $id) { __typename id name lanes state owner { name } } }',
    ]) {
      const answer = await compare({ query, variables: { id: 'ok' } });
      expect(answer.shapedBy, query).toBe('none');
      expect(answer.calls, query).toBe(1);
    }
  });

  it('refuses variables that do not coerce exactly as the gateway does, without a fetch', async () => {
    const answer = await compare({
      query: SENSOR,
      variables: { id: { not: 'an id' } },
    });
    expect(answer.calls).toBe(0);
    expect(answer.text).toContain('BAD_USER_INPUT');
  });

  it('audits the subgraph called on the fast path', async () => {
    events.fast.length = 0;
    await post('fast', { query: SENSOR, variables: { id: 'ok' } });
    // Public operations are recorded without holding the answer.
    await expect
      .poll(() => events.fast.find((e) => e.operationName === 'Sensor'))
      .toMatchObject({ subgraphs: ['mobility'] });
  });
});
