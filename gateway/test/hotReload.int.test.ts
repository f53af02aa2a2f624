import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSupergraphSource,
  type SupergraphSource,
} from '../src/supergraphSource.js';
import {
  composeSupergraph,
  writeFileAtomic,
} from '../../lib/tooling/composition/index.js';
import { disableVendorTelemetry } from '../../lib/runtime/config.js';
import { createLogger, createSilentLogger } from '../../lib/runtime/logger.js';
import { startSubgraph } from './startGatewayOver.js';

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@requiresScopes"])';

// What each subgraph serves (already deployed, ahead of the supergraph).
const ALPHA = /* GraphQL */ `
  ${LINK}
  type Query {
    hello: String
    greeting: String
    district(code: String!): District
  }
  type District @key(fields: "code") {
    code: String!
  }
`;
const BETA = /* GraphQL */ `
  ${LINK}
  type District @key(fields: "code") {
    code: String!
    name: String!
    population: Int @requiresScopes(scopes: [["stats"]])
  }
`;
// What the successive supergraphs expose of them.
const ALPHA_V1 = ALPHA.replace('  greeting: String', '');
const BETA_V1 = BETA.replace(/ {2}population: Int[^}]*/, '');

const QUERY = '{ hello district(code: "13201") { code name } }';

describe('supergraph hot reload', () => {
  let dir: string;
  let file: string;
  let source: SupergraphSource;
  const stops: (() => Promise<void>)[] = [];
  let gatewayUrl: string;
  const logLines: string[] = [];
  let urls: { alpha: string; beta: string };

  const compose = (alpha: string, beta: string): string => {
    const outcome = composeSupergraph([
      { name: 'alpha', url: urls.alpha, sdl: alpha },
      { name: 'beta', url: urls.beta, sdl: beta },
    ]);
    if (!outcome.ok)
      throw new Error(outcome.errors.map((e) => e.message).join('\n'));
    return outcome.supergraphSdl;
  };

  const subgraphAt = async (sdl: string, resolvers: object) => {
    const subgraph = await startSubgraph({ sdl, resolvers });
    stops.push(() => subgraph.stop());
    return subgraph.url;
  };

  beforeAll(async () => {
    disableVendorTelemetry();
    dir = await mkdtemp(path.join(tmpdir(), 'hot-reload-'));
    file = path.join(dir, 'supergraph.graphql');
    urls = {
      alpha: await subgraphAt(ALPHA, {
        Query: {
          hello: () => 'bonjour',
          greeting: () => 'salut',
          district: (_: unknown, { code }: { code: string }) => ({ code }),
        },
      }),
      beta: await subgraphAt(BETA, {
        District: {
          __resolveReference: ({ code }: { code: string }) => ({
            code,
            name: `District ${code}`,
            population: 40_000,
          }),
        },
      }),
    };
    await writeFileAtomic(file, compose(ALPHA_V1, BETA_V1));
    const logger = createLogger({
      service: 'gateway-test',
      level: 'info',
      destination: { write: (line: string) => void logLines.push(line) },
    });
    source = createSupergraphSource({ path: file, pollIntervalMs: 40, logger });
    const gateway = new ApolloGateway({
      supergraphSdl: source.hook,
      logger: createSilentLogger(),
    });
    const server = new ApolloServer({ gateway, logger: createSilentLogger() });
    const { url } = await startStandaloneServer(server, {
      listen: { port: 0, host: '127.0.0.1' },
    });
    stops.unshift(() => server.stop());
    gatewayUrl = url;
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
    await rm(dir, { recursive: true, force: true });
  });

  const post = async (
    query: string,
  ): Promise<{
    status: number;
    body: { data?: Record<string, unknown>; errors?: unknown[] };
  }> => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: Record<string, unknown>;
        errors?: unknown[];
      },
    };
  };

  // Waits on a condition, polled, with a ceiling generous enough for a
  // loaded 2-core machine: the test asserts what happens, never how fast.
  const until = async (
    what: () => Promise<boolean>,
    ms = 120_000,
  ): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  /** Requests served by the workers, counted from the current total. */
  const servedMore = (before: number, n = 40) =>
    until(async () => served > before + n || failures.length > 0);
  let served = 0;
  const failures: string[] = [];

  it(
    'switches twice under load without a failed request, and refuses an invalid supergraph',
    { timeout: 600_000 },
    async () => {
      expect(await post(QUERY)).toMatchObject({ status: 200 });

      let running = true;
      const worker = async (): Promise<void> => {
        while (running) {
          try {
            const { status, body } = await post(QUERY);
            if (
              status !== 200 ||
              body.errors ||
              (body.data?.['district'] as { name?: string } | undefined)
                ?.name !== 'District 13201'
            ) {
              failures.push(`${status} ${JSON.stringify(body)}`);
            }
            served += 1;
          } catch (error) {
            failures.push(String(error));
          }
        }
      };
      // Enough concurrent requests that some are in flight at each switch.
      const workers = Array.from({ length: 20 }, () => worker());

      await servedMore(0);
      expect(failures.slice(0, 3)).toEqual([]);
      // 1st switch: alpha's greeting is published.
      await writeFileAtomic(file, compose(ALPHA, BETA_V1));
      await until(
        async () =>
          (await post('{ greeting }')).body.data?.['greeting'] === 'salut',
      );
      await servedMore(served);
      // 2nd switch: beta's population is published.
      const v3 = compose(ALPHA, BETA);
      await writeFileAtomic(file, v3);
      await until(async () => {
        const { body } = await post(
          '{ district(code: "13202") { population } }',
        );
        // Published but protected: the field exists now (no validation error).
        return !JSON.stringify(body).includes('Cannot query field');
      });
      await servedMore(served);
      // An invalid supergraph is refused; the gateway keeps serving v3.
      await writeFileAtomic(
        file,
        'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query }\ntype Query { broken: Nope }\n',
      );
      await until(async () =>
        logLines.some((line) => line.includes('new supergraph refused')),
      );
      await servedMore(served);

      running = false;
      await Promise.all(workers);

      expect(failures).toEqual([]);
      expect(served).toBeGreaterThan(160);
      expect(source.current()).toBe(v3);
      expect((await post('{ greeting }')).body.data).toEqual({
        greeting: 'salut',
      });
      const refused = logLines
        .map((line) => JSON.parse(line) as { msg: string; reason?: string })
        .find((l) => l.msg.includes('refused'));
      expect(refused?.reason).toBeTruthy();
    },
  );
});
