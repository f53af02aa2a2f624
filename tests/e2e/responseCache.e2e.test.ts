/**
 * The gateway's response cache in Redis, through the real city: two gateway
 * processes sharing one private Redis, the five subgraphs and their
 * databases (docs/performance.md, "Response cache").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../../lib/runtime/config.js';
import {
  startPrivateRedis,
  type PrivateRedis,
} from '../../lib/tooling/testing/privateRedis.js';
import { ensureDevKeys } from '../../scripts/devKeys.js';
import { generateMobilitySeed } from '../../subgraphs/mobility/src/seed.js';
import {
  freePort,
  startCityGraph,
  type CityGraph,
  type GraphQLResponse,
} from './cityGraph.js';
import { eventually } from './eventually.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SENSOR = 'mob-ts-13207-01';
const LIGHT = generateMobilitySeed().lights.find(
  (l) => l.status !== 'MAINTENANCE',
)?._id;

const SENSOR_QUERY = /* GraphQL */ `
  query CachedSensor($id: ID!) {
    trafficSensor(id: $id) {
      name
      latestReading {
        observedAt
      }
    }
  }
`;
const LIGHT_QUERY = /* GraphQL */ `
  query CachedLight($id: ID!) {
    trafficLight(id: $id) {
      name
      signalPlan {
        name
        cycleSeconds
      }
    }
  }
`;

let redis: PrivateRedis;
let graph: CityGraph;
let prefix: string;
let second: { url: string; child: ChildProcess; logs: string[] };

/** A second gateway process beside the city's, same subgraphs, same Redis. */
async function startSecondGateway(
  env: Record<string, string>,
): Promise<typeof second> {
  const keys = await ensureDevKeys(graph.dataDir);
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = {
    // eslint-disable-next-line n/no-process-env -- a child-process environment, not configuration
    PATH: process.env['PATH'],
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATA_DIR: graph.dataDir,
    BIND_HOST: '127.0.0.1',
    AUTH_ISSUER: 'urn:marseille:e2e-issuer',
    AUTH_AUDIENCE: 'urn:marseille:city-graph',
    AUTH_PUBLIC_KEY_FILE: keys.issuer.publicKeyFile,
    GATEWAY_TOKEN_PRIVATE_KEY_FILE: keys.gateway.privateKeyFile,
    GATEWAY_TOKEN_PUBLIC_KEY_FILE: keys.gateway.publicKeyFile,
    SUPERGRAPH_PATH: graph.supergraphPath,
    GATEWAY_PORT: String(port),
    AUDIT_CHAIN_ID: 'e2e-second',
    GOVERNANCE_MONGODB_URI: graph.proxies.governance.uri,
    ...env,
  };
  for (const name of SUBGRAPH_NAMES)
    childEnv[`${name.toUpperCase()}_URL`] =
      `http://127.0.0.1:${graph.ports[name]}/graphql`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'gateway/src/index.ts')],
    { env: childEnv, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  const collect = (chunk: Buffer) =>
    logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await eventually(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`second gateway exited: ${logs.slice(-5).join('\n')}`);
      return (await fetch(`http://127.0.0.1:${port}/ready`)).ok;
    },
    { timeoutMs: 300_000, intervalMs: 300 },
  );
  return { url: `http://127.0.0.1:${port}/graphql`, child, logs };
}

/** Sends an operation to one of the gateways. */
async function ask(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<
    GraphQLResponse,
    'status' | 'headers'
  >;
  return { status: response.status, headers: response.headers, ...body };
}

/** Asks until the answer is a HIT (the MISS's write does not hold up its answer). */
async function askUntilHit(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<GraphQLResponse> {
  let last: GraphQLResponse | undefined;
  await eventually(
    async () => {
      last = await ask(url, query, variables, token);
      return last.headers.get('x-cache') === 'HIT' || 'not yet a HIT';
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );
  return last!;
}

function flowObserved(to: Date): Record<string, unknown> {
  const from = new Date(to.getTime() - 5 * 60_000);
  return {
    id: `urn:ngsi-ld:TrafficFlowObserved:${SENSOR}-${to.getTime()}`,
    type: 'TrafficFlowObserved',
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${SENSOR}` },
    dateObserved: {
      type: 'Property',
      value: `${from.toISOString()}/${to.toISOString()}`,
    },
    intensity: { type: 'Property', value: 120 },
    averageVehicleSpeed: { type: 'Property', value: 31, unitCode: 'KMH' },
    occupancy: { type: 'Property', value: 0.45 },
    '@context': [
      'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
    ],
  };
}

beforeAll(async () => {
  if (!LIGHT) throw new Error('the seed has no light in service');
  redis = await startPrivateRedis();
  prefix = `e2e-cache-${randomUUID()}:`;
  // Redis for the gateways only: the subgraphs keep their own stores, so a
  // Redis outage is the cache's alone.
  const env = {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    RESPONSE_CACHE: 'redis',
    RATE_LIMIT_REQUESTS: '0',
  };
  graph = await startCityGraph({ gatewayEnv: env });
  second = await startSecondGateway(env);
});
afterAll(async () => {
  if (second?.child.exitCode === null) {
    const exited = new Promise((r) => second.child.once('exit', r));
    second.child.kill('SIGTERM');
    await exited;
  }
  await graph?.stop();
  await redis?.stop();
});

describe('the response cache (Redis, two gateways)', () => {
  it('answers a public query from the cache within its maxAge, on either gateway', async () => {
    const variables = { id: SENSOR };
    const miss = await ask(graph.gatewayUrl, SENSOR_QUERY, variables);
    expect(miss.errors).toBeUndefined();
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(miss.headers.get('cache-control')).toBe('max-age=60, public');
    // The ids the gateway asked the subgraph for never reach the client.
    expect(JSON.stringify(miss)).not.toContain('_ck_');

    const hit = await askUntilHit(graph.gatewayUrl, SENSOR_QUERY, variables);
    expect(hit.data).toEqual(miss.data);
    const maxAge = Number(
      /^max-age=(\d+), public$/.exec(
        hit.headers.get('cache-control') ?? '',
      )?.[1],
    );
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(60);
    expect(Number(hit.headers.get('age'))).toBeLessThanOrEqual(60);

    // The other gateway process reads the same entry.
    const other = await ask(second.url, SENSOR_QUERY, variables);
    expect(other.headers.get('x-cache')).toBe('HIT');
    expect(other.data).toEqual(miss.data);

    // Redis keeps it no longer than its hint.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`${prefix}rc:e:*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const ttl = await client.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      }
    } finally {
      client.disconnect();
    }
  });

  it('never serves a protected field to a caller without the scope, though a caller with it warmed the cache', async () => {
    const variables = { id: LIGHT };
    const staff = await graph.token('staff-cache', ['mobility:staff']);
    const warmed = await ask(graph.gatewayUrl, LIGHT_QUERY, variables, staff);
    expect(warmed.errors).toBeUndefined();
    expect(warmed.headers.get('x-cache')).toBe('MISS');
    // Keyed by the caller: private to clients' caches too.
    expect(warmed.headers.get('cache-control')).toBe('max-age=60, private');
    const plan = (
      warmed.data?.['trafficLight'] as { signalPlan: unknown } | undefined
    )?.signalPlan;
    expect(plan).not.toBeNull();
    const hit = await askUntilHit(
      graph.gatewayUrl,
      LIGHT_QUERY,
      variables,
      staff,
    );
    expect(hit.data).toEqual(warmed.data);

    for (const url of [graph.gatewayUrl, second.url]) {
      const anonymous = await ask(url, LIGHT_QUERY, variables);
      expect(anonymous.headers.get('x-cache')).toBe('MISS');
      expect(
        (anonymous.data?.['trafficLight'] as { signalPlan: unknown })
          .signalPlan,
      ).toBeNull();
      expect(anonymous.errors?.[0]?.extensions?.['code']).toBe(
        'UNAUTHENTICATED',
      );
      const other = await ask(
        url,
        LIGHT_QUERY,
        variables,
        await graph.token('env-cache', ['environment:staff']),
      );
      expect(other.headers.get('x-cache')).toBe('MISS');
      expect(other.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(JSON.stringify(other.data)).not.toContain(JSON.stringify(plan));
    }

    // The hit is audited like the miss: same field decisions and records.
    const auditor = await graph.token('auditor-cache', ['audit:read']);
    const audited = await graph.query(
      `{ auditEvents(filter: { field: "TrafficLight.signalPlan", subject: "staff-cache" }, first: 5) { nodes { requestId operationName fields { coordinate decision rule } records { type id fields } subgraphs } } }`,
      {},
      { token: auditor, headers: { 'x-data-purpose': 'audit' } },
    );
    expect(audited.errors, JSON.stringify(audited.errors)).toBeUndefined();
    const events = (
      audited.data?.['auditEvents'] as {
        nodes: {
          requestId: string;
          fields: unknown;
          records: unknown;
          subgraphs: string[];
        }[];
      }
    ).nodes;
    const ofMiss = events.find(
      (e) => e.requestId === warmed.headers.get('x-request-id'),
    );
    const ofHit = events.find(
      (e) => e.requestId === hit.headers.get('x-request-id'),
    );
    expect(ofMiss?.fields).toEqual([
      {
        coordinate: 'TrafficLight.signalPlan',
        decision: 'ALLOWED',
        rule: expect.any(String) as unknown,
      },
    ]);
    expect(ofHit?.fields).toEqual(ofMiss?.fields);
    expect(ofHit?.records).toEqual(ofMiss?.records);
    expect(ofMiss?.subgraphs).toEqual(['mobility']);
    expect(ofHit?.subgraphs).toEqual([]);
  });

  it('answers fresh after a mutation changed a cached entity, on both gateways', async () => {
    const variables = { id: LIGHT };
    const staff = await graph.token('staff-cache', ['mobility:staff']);
    await askUntilHit(graph.gatewayUrl, LIGHT_QUERY, variables, staff);
    await askUntilHit(second.url, LIGHT_QUERY, variables, staff);
    const name = `Plan cache ${randomUUID().slice(0, 8)}`;
    const changed = await graph.query(
      `mutation { setSignalPlan(trafficLightId: "${LIGHT}", plan: { name: "${name}", cycleSeconds: 90, phases: [{ name: "a", greenSeconds: 40 }, { name: "b", greenSeconds: 40 }] }) { id } }`,
      {},
      { token: await graph.token('ctl-cache', ['mobility:control']) },
    );
    expect(changed.errors).toBeUndefined();
    // The first answer after the change is computed again; the other
    // gateway then reads it fresh from Redis or computes it too.
    for (const [i, url] of [graph.gatewayUrl, second.url].entries()) {
      const after = await ask(url, LIGHT_QUERY, variables, staff);
      if (i === 0) expect(after.headers.get('x-cache')).toBe('MISS');
      expect(
        (after.data?.['trafficLight'] as { signalPlan: { name: string } })
          .signalPlan.name,
      ).toBe(name);
    }
  });

  it('answers fresh after a reading of a cached sensor was ingested', async () => {
    const variables = { id: SENSOR };
    await askUntilHit(graph.gatewayUrl, SENSOR_QUERY, variables);
    const to = new Date(Date.now() - 30_000);
    to.setUTCMilliseconds(0);
    const ingested = await fetch(
      graph.gatewayUrl.replace(
        /\/graphql$/,
        '/ngsi-ld/v1/entityOperations/upsert',
      ),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/ld+json',
          authorization: `Bearer ${await graph.token('partner-cache', ['mobility:ingest'])}`,
        },
        body: JSON.stringify([flowObserved(to)]),
      },
    );
    expect(ingested.status, await ingested.clone().text()).toBe(201);
    for (const [i, url] of [graph.gatewayUrl, second.url].entries()) {
      const after = await ask(url, SENSOR_QUERY, variables);
      if (i === 0) expect(after.headers.get('x-cache')).toBe('MISS');
      expect(
        (
          after.data?.['trafficSensor'] as {
            latestReading: { observedAt: string };
          }
        ).latestReading.observedAt,
      ).toBe(to.toISOString());
    }
  });

  it('answers without the cache while Redis is down, says so once, and uses it again once Redis is back', async () => {
    const variables = { id: 'mob-ts-13208-01' };
    await redis.kill();
    for (let i = 0; i < 3; i += 1) {
      const answer = await ask(graph.gatewayUrl, SENSOR_QUERY, variables);
      expect(answer.status).toBe(200);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.['trafficSensor']).not.toBeNull();
      expect(answer.headers.get('x-cache')).toBe('PASS');
    }
    const said = () =>
      graph
        .logs('gateway')
        .filter((line) => line.includes('response cache: Redis unavailable'))
        .length;
    expect(said()).toBe(1);
    await redis.start();
    await askUntilHit(graph.gatewayUrl, SENSOR_QUERY, variables);
    expect(said()).toBe(1);
    expect(
      graph
        .logs('gateway')
        .some((line) => line.includes('response cache: Redis available again')),
    ).toBe(true);
  });
});
