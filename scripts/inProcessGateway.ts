/**
 * Not a command: the real gateway (createGateway: data sources, limits,
 * plugins, HTTP front) in this process, over one small subgraph, with its
 * log lines and audit events kept in memory. For the gateway's own tests
 * and benchmarks (`npm run bench:flood`), where what is measured is the
 * gateway itself; tests/e2e runs the whole city as processes.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { AuditEventInput } from '../lib/records/audit/index.js';
import { loadConfig } from '../lib/runtime/config.js';
import { UnauthenticatedError } from '../lib/runtime/errors.js';
import { createLogger, createSilentLogger } from '../lib/runtime/logger.js';
import {
  anonymousViewer,
  createViewer,
  type Viewer,
} from '../lib/runtime/viewer.js';
import {
  composeSupergraph,
  writeFileAtomic,
} from '../lib/tooling/composition/index.js';
import { createGateway } from '../gateway/src/server.js';
import { createSupergraphSource } from '../gateway/src/supergraphSource.js';

const SUBGRAPH = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    hello: String
    district(code: ID!): District
  }
  type District @key(fields: "code") {
    code: ID!
    name: String
  }
`;

/** A gateway under test. */
export interface InProcessGateway {
  url: string;
  /** JSON log lines the gateway wrote. */
  readonly logLines: string[];
  /** Audit events the gateway recorded. */
  readonly events: AuditEventInput[];
  /** POSTs a JSON body (a string is sent as it is); `token` names a caller (see below). */
  post(
    body: unknown,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: GraphQLBody }>;
  stop(): Promise<void>;
}

/** A GraphQL answer. */
export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Options of {@link startInProcessGateway}. */
export interface InProcessGatewayOptions {
  /** Environment for loadConfig (e.g. `RATE_LIMIT_REQUESTS`). */
  env?: Record<string, string>;
  /** How long a 429 is held (createGateway's `rateLimitedDelayMs`). */
  rateLimitedDelayMs?: number;
  /**
   * Keep log lines in memory (tests); a benchmark turns it off.
   * @default true
   */
  keepLogs?: boolean;
}

/**
 * Starts the gateway. A bearer token `good:<subject>` authenticates as that
 * subject; any other token is refused (401), as a bad JWT would be.
 */
export async function startInProcessGateway(
  options: InProcessGatewayOptions = {},
): Promise<InProcessGateway> {
  const subgraph = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: parse(SUBGRAPH),
      resolvers: {
        Query: {
          hello: () => 'bonjour',
          district: (_: unknown, { code }: { code: string }) => ({ code }),
        },
        District: { name: ({ code }: { code: string }) => `District ${code}` },
      } as never,
    }),
    logger: createSilentLogger(),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url: subgraphUrl } = await startStandaloneServer(subgraph, {
    listen: { port: 0, host: '127.0.0.1' },
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'gateway-harness-'));
  const file = path.join(dir, 'supergraph.graphql');
  const composed = composeSupergraph([
    { name: 'alpha', url: subgraphUrl, sdl: SUBGRAPH },
  ]);
  if (!composed.ok)
    throw new Error(composed.errors.map((e) => e.message).join('\n'));
  await writeFileAtomic(file, composed.supergraphSdl);

  const logLines: string[] = [];
  const logger =
    options.keepLogs === false
      ? createSilentLogger()
      : createLogger({
          service: 'gateway',
          level: 'info',
          destination: { write: (line: string) => void logLines.push(line) },
        });
  const events: AuditEventInput[] = [];
  const { http } = createGateway({
    config: loadConfig({ NODE_ENV: 'test', ...options.env }),
    logger,
    async authenticate(authorization): Promise<Viewer> {
      if (authorization === undefined) return anonymousViewer;
      const token = authorization.replace(/^Bearer /, '');
      if (token.startsWith('good:')) return createViewer(token.slice(5));
      throw new UnauthenticatedError('Invalid token.');
    },
    signingKey: generateKeyPairSync('ed25519').privateKey,
    supergraph: createSupergraphSource({
      path: file,
      pollIntervalMs: 0,
      logger,
    }),
    audit: {
      record: async (event) => {
        if (options.keepLogs !== false) events.push(event);
      },
      ping: async () => true,
    },
    usage: { record: async () => {} },
    ...(options.rateLimitedDelayMs === undefined
      ? {}
      : { rateLimitedDelayMs: options.rateLimitedDelayMs }),
  });
  const base = await http.listen(0, '127.0.0.1');
  const url = `${base}/graphql`;
  return {
    url,
    logLines,
    events,
    async post(body, opts = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: GraphQLBody = {};
      try {
        parsed = JSON.parse(text) as GraphQLBody;
      } catch {
        // not JSON (a refused preflight, a 404 page): body left empty
      }
      return {
        status: response.status,
        headers: response.headers,
        body: parsed,
      };
    },
    async stop() {
      await http.stop();
      await subgraph.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
