/**
 * Not a test: a real city gateway (createGateway, every plugin and route) in
 * front of one in-process subgraph, both on free ports of 127.0.0.1, for the
 * tests of what the gateway itself does (list cost, response cache, live
 * service, explorer, metrics, trusted documents). One place sets it up, so
 * a new dependency of the gateway is given a test default once.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { loadConfig } from '../../lib/runtime/config.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { initMetrics } from '../../lib/runtime/metrics.js';
import { anonymousViewer } from '../../lib/runtime/viewer.js';
import { composeSupergraph } from '../../lib/tooling/composition/index.js';
import {
  createGateway,
  type Gateway,
  type GatewayDeps,
} from '../src/server.js';

/**
 * The city's `@cacheControl` directive as a subgraph imports and declares
 * it (the response cache reads it from the supergraph), for a fixture SDL
 * that starts with it in place of the bare federation `@link`.
 */
export const CACHE_CONTROL_SDL = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.9"
      import: ["@key", "@composeDirective"]
    )
    @link(
      url: "https://specs.city-graph.marseille.fr/cacheControl/v1.0"
      import: ["@cacheControl"]
    )
    @composeDirective(name: "@cacheControl")
  directive @cacheControl(
    maxAge: Int
    scope: CacheControlScope
    inheritMaxAge: Boolean
  ) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  enum CacheControlScope {
    PUBLIC
    PRIVATE
  }
`;

/** Options of {@link startSubgraph}. */
export interface SubgraphOptions {
  /** The subgraph's SDL, federation `@link` included. */
  readonly sdl: string;
  /** Its resolvers, as `buildSubgraphSchema` takes them. */
  readonly resolvers: object;
  /**
   * Plugins beside the one that turns inline traces off.
   * @default []
   */
  readonly plugins?: readonly ApolloServerPlugin[];
}

/** A started subgraph: its GraphQL URL and how to stop it. */
export interface StartedSubgraph {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a subgraph of `sdl` and `resolvers` over HTTP on a free port. */
export async function startSubgraph(
  options: SubgraphOptions,
): Promise<StartedSubgraph> {
  const server = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: parse(options.sdl),
      resolvers: options.resolvers as never,
    }),
    logger: createSilentLogger(),
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ...(options.plugins ?? []),
    ],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
  });
  return { url, stop: () => server.stop() };
}

/** The subgraph the gateway is put in front of. */
export interface GatewaySubgraph extends SubgraphOptions {
  /** Its name in the supergraph (a department's, where the gateway cares: events, cache). */
  readonly name: string;
}

/** A started gateway: where it listens and how to stop it. */
export interface GatewayOver {
  /** `http://127.0.0.1:<port>`, without a path. */
  readonly base: string;
  /** `<base>/graphql`. */
  readonly url: string;
  readonly gateway: Gateway;
  /** Stops the gateway (its live service and HTTP server), then the subgraph. */
  stop(): Promise<void>;
}

/**
 * Starts `subgraph` ({@link startSubgraph}), composes it alone into a
 * supergraph and starts a city gateway in front of it: anonymous callers, no rate limit, a fresh signing key, no
 * audit or usage store, no event broker or response cache unless
 * `overrides` gives them (and any other dependency to replace). Resolves
 * once it listens and, with a response cache, once that cache follows the
 * events.
 */
export async function startGatewayOver(
  subgraph: GatewaySubgraph,
  overrides: Partial<GatewayDeps> = {},
): Promise<GatewayOver> {
  const { name, sdl } = subgraph;
  const started = await startSubgraph(subgraph);
  const composed = composeSupergraph([{ name, url: started.url, sdl }]);
  if (!composed.ok) {
    await started.stop();
    throw new Error(
      `fixture does not compose: ${composed.errors.map((e) => e.message).join('\n')}`,
    );
  }
  const { supergraphSdl } = composed;
  const gateway = createGateway({
    config: loadConfig({ NODE_ENV: 'test', RATE_LIMIT_REQUESTS: '0' }),
    logger: createSilentLogger(),
    authenticate: async () => anonymousViewer,
    signingKey: generateKeyPairSync('ed25519').privateKey,
    supergraph: {
      hook: async () => ({ supergraphSdl }),
      current: () => supergraphSdl,
      checkNow: async () => false,
    },
    audit: { record: async () => {}, ping: async () => true },
    usage: { record: async () => {} },
    ...overrides,
  });
  const base = await gateway.http.listen(0, '127.0.0.1');
  await gateway.responseCache?.ready;
  return {
    base,
    url: `${base}/graphql`,
    gateway,
    async stop() {
      await gateway.live.stop();
      await gateway.http.stop();
      await started.stop();
    },
  };
}

/**
 * The fixture subgraph of {@link startFixtureGateway}: `district(code)`
 * answers a name; `trafficChanged` is served by the gateway's live service
 * from the events of the broker given (a district's `traffic.changed`).
 */
const DISTRICT_SDL = /* GraphQL */ `
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

/**
 * A gateway in front of a small district subgraph, for tests of what the
 * gateway itself serves (explorer, metrics, trusted documents), with the
 * gateway's metrics registry set up as gateway/src/index.ts does at start.
 */
export async function startFixtureGateway(
  overrides: Partial<GatewayDeps> = {},
): Promise<GatewayOver> {
  initMetrics('gateway');
  return startGatewayOver(
    {
      name: 'economy',
      sdl: DISTRICT_SDL,
      resolvers: {
        Query: {
          district: (_: unknown, { code }: { code: string }) => ({
            code,
            name: code === '13202' ? 'Marseille 2e' : `District ${code}`,
          }),
        },
      },
    },
    overrides,
  );
}
