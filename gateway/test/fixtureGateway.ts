/**
 * Not a test: a real city gateway (createGateway, every plugin and route) in
 * front of one small in-process subgraph, for tests of what the gateway
 * itself serves (explorer, metrics).
 */
import { generateKeyPairSync } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { composeSupergraph } from '../../lib/tooling/composition/index.js';
import { loadConfig } from '../../lib/runtime/config.js';
import type { EventBroker } from '../../lib/runtime/eventBroker.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { initMetrics } from '../../lib/runtime/metrics.js';
import { anonymousViewer } from '../../lib/runtime/viewer.js';
import {
  createGateway,
  type Gateway,
  type GatewayDeps,
} from '../src/server.js';

/**
 * The fixture subgraph: `district(code)` answers a name; `trafficChanged`
 * is served by the gateway's live service from the events given to
 * {@link startFixtureGateway} (a district's `traffic.changed`).
 */
const SDL = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    district(code: String!): District
  }
  type Subscription {
    trafficChanged(district: String!): District
  }
  type District @key(fields: "code") {
    code: String!
    name: String!
  }
`;

/** A started fixture gateway: its base URL and how to stop it. */
export interface FixtureGateway {
  readonly base: string;
  readonly gateway: Gateway;
  stop(): Promise<void>;
}

/** Options of {@link startFixtureGateway}. */
export interface FixtureGatewayOptions {
  /** The broker subscriptions follow (an in-memory one in tests); none by default. */
  events?: EventBroker;
  /** Dependencies of the gateway to replace (trusted documents, audit trail). */
  overrides?: Partial<GatewayDeps>;
}

/** Starts the fixture subgraph and a city gateway in front of it, on free ports. */
export async function startFixtureGateway(
  options: FixtureGatewayOptions = {},
): Promise<FixtureGateway> {
  // As gateway/src/index.ts does at start.
  initMetrics('gateway');
  const subgraph = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: parse(SDL),
      resolvers: {
        Query: {
          district: (_: unknown, { code }: { code: string }) => ({
            code,
            name: code === '13202' ? 'Marseille 2e' : `District ${code}`,
          }),
        },
      } as never,
    }),
    logger: createSilentLogger(),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(subgraph, {
    listen: { port: 0, host: '127.0.0.1' },
  });
  const composed = composeSupergraph([{ name: 'economy', url, sdl: SDL }]);
  if (!composed.ok) throw new Error('fixture does not compose');
  const gateway = createGateway({
    config: loadConfig({ NODE_ENV: 'test', RATE_LIMIT_REQUESTS: '0' }),
    logger: createSilentLogger(),
    authenticate: async () => anonymousViewer,
    signingKey: generateKeyPairSync('ed25519').privateKey,
    supergraph: {
      hook: async () => ({ supergraphSdl: composed.supergraphSdl }),
      current: () => composed.supergraphSdl,
      checkNow: async () => false,
    },
    audit: { record: async () => {}, ping: async () => true },
    usage: { record: async () => {} },
    ...(options.events ? { events: options.events } : {}),
    ...options.overrides,
  });
  const base = await gateway.http.listen(0, '127.0.0.1');
  return {
    base,
    gateway,
    async stop() {
      await gateway.live.stop();
      await gateway.http.stop();
      await subgraph.stop();
    },
  };
}
