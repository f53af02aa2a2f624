/**
 * Not for production: the gateway CPU one single-fetch operation costs with
 * and without the single-fetch fast path (gateway/src/singleFetchExecutor.ts),
 * measured in one process with `process.cpuUsage`, the two gateways
 * alternating rounds (docs/performance.md, step 8). Both are real city
 * gateways (createGateway, every plugin) in front of one fake subgraph in
 * the same process that answers the bench's single-department query at once;
 * the figure is gateway plus fake subgraph, the same subgraph for both.
 *
 * Usage: taskset -c 1 npx tsx scripts/bench/singleFetchCpu.ts [requests per round=2000] [rounds=6]
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeSupergraph } from '../../lib/tooling/composition/index.js';
import { loadConfig } from '../../lib/runtime/config.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { anonymousViewer } from '../../lib/runtime/viewer.js';
import { newGatewayContext } from '../../gateway/src/context.js';
import { createGateway, type Gateway } from '../../gateway/src/server.js';

const perRound = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 6);
const SDL = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    trafficSensor(id: ID!): TrafficSensor
  }
  type TrafficSensor @key(fields: "id") {
    id: ID!
    name: String
    roadName: String
    laneCount: Int
  }
`;
const QUERY = /* GraphQL */ `
  query Sensor($id: ID!) {
    trafficSensor(id: $id) {
      id
      name
      roadName
      laneCount
    }
  }
`;

const subgraph = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const { variables } = JSON.parse(body) as { variables: { id: string } };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        data: {
          trafficSensor: {
            id: variables.id,
            name: 'Boulevard National',
            roadName: 'Boulevard National',
            laneCount: 2,
          },
        },
      }),
    );
  });
});
await new Promise<void>((resolve) => subgraph.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
const composed = composeSupergraph([{ name: 'mobility', url, sdl: SDL }]);
if (!composed.ok) throw new Error('the fixture does not compose');
const signingKey = generateKeyPairSync('ed25519').privateKey;
const logger = createSilentLogger();
const gateways = new Map<'fast' | 'gateway', Gateway>();
for (const path of ['fast', 'gateway'] as const) {
  const gateway = createGateway({
    config: loadConfig({ NODE_ENV: 'test', RATE_LIMIT_REQUESTS: '0' }),
    logger,
    authenticate: async () => anonymousViewer,
    signingKey,
    supergraph: {
      hook: async () => ({ supergraphSdl: composed.supergraphSdl }),
      current: () => composed.supergraphSdl,
      checkNow: async () => false,
    },
    audit: { record: async () => {}, ping: async () => true },
    usage: { record: async () => {} },
    singleFetchFastPath: path === 'fast',
  });
  await gateway.apollo.start();
  gateways.set(path, gateway);
}

/** `n` requests, 10 at a time, through Apollo Server's pipeline. */
async function run(path: 'fast' | 'gateway', n: number): Promise<void> {
  const apollo = gateways.get(path)?.apollo;
  if (!apollo) throw new Error(path);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const response = await apollo.executeOperation(
        { query: QUERY, variables: { id: `sensor-${i % 128}` } },
        {
          contextValue: newGatewayContext({
            viewer: anonymousViewer,
            requestId: `request-${i}`,
            logger,
            clientName: null,
            clientVersion: null,
          }),
        },
      );
      if (response.body.kind !== 'single' || response.body.singleResult.errors)
        throw new Error(JSON.stringify(response.body));
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
}

await run('fast', 500);
await run('gateway', 500);
const figures: Record<'fast' | 'gateway', number[]> = { fast: [], gateway: [] };
for (let round = 0; round < rounds; round++) {
  const order =
    round % 2 ? (['gateway', 'fast'] as const) : (['fast', 'gateway'] as const);
  for (const path of order) {
    const start = process.cpuUsage();
    await run(path, perRound);
    const used = process.cpuUsage(start);
    figures[path].push(Math.round((used.user + used.system) / perRound));
  }
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const path of ['fast', 'gateway'] as const)
  console.log(
    `${path.padEnd(8)} µs of CPU per request: median ${median(figures[path])} (rounds ${figures[path].join(', ')})`,
  );
for (const gateway of gateways.values()) await gateway.apollo.stop();
subgraph.close();
