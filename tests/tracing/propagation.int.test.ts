/**
 * Traces cross the services: a client's W3C `traceparent` is accepted by
 * the gateway, propagated to the subgraph it calls and to that subgraph's
 * database commands, and the trace id is on the gateway's and the subgraph's
 * log lines and in the exported spans (an in-memory exporter). The gateway
 * (createGateway) and a subgraph service (createSubgraphServer and its HTTP
 * front) run in this process, as their entry points build them.
 */
import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../lib/runtime/tracing.js';
// Tracing starts before what it instruments is loaded, as in production
// (gateway/src/tracing.ts is the entry point's first import).
const exporter = new InMemorySpanExporter();
startTracing({
  service: 'tracing-test',
  enabled: true,
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});

const { generateKeyPairSync } = await import('node:crypto');
const { parse } = await import('graphql');
const { afterAll, beforeAll, describe, expect, it } = await import('vitest');
const { composeSupergraph } =
  await import('../../lib/tooling/composition/index.js');
const { loadConfig } = await import('../../lib/runtime/config.js');
const { createLogger } = await import('../../lib/runtime/logger.js');
const { anonymousViewer } = await import('../../lib/runtime/viewer.js');
const { createMemoryReplayStore } =
  await import('../../lib/runtime/replayStore.js');
const { createSubgraphServer, createSubgraphHttpService } =
  await import('../../lib/subgraph-kit/subgraphService.js');
const { startTestDatabase } =
  await import('../../lib/tooling/testing/testDatabase.js');
const { createGateway } = await import('../../gateway/src/server.js');

const SDL = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    sensorCount: Int!
  }
`;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('trace propagation', () => {
  const gatewayLines: string[] = [];
  const subgraphLines: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  let base = '';

  beforeAll(async () => {
    const database = await startTestDatabase('tracing');
    stops.push(() => database.stop());
    await database.connection.collection('sensors').insertOne({ id: 's1' });
    const keys = generateKeyPairSync('ed25519');
    const subgraphLogger = createLogger({
      service: 'subgraph-tracing',
      destination: { write: (line: string) => void subgraphLines.push(line) },
    });
    const server = createSubgraphServer({
      typeDefs: parse(SDL),
      resolvers: {
        Query: {
          sensorCount: () =>
            database.connection.collection('sensors').countDocuments(),
        },
      },
      deps: {
        connection: database.connection,
        logger: subgraphLogger,
      } as never,
      createContext: (context) => context,
    });
    const subgraph = createSubgraphHttpService({
      server,
      connection: database.connection,
      logger: subgraphLogger,
      gatewayKey: keys.publicKey,
      name: 'mobility',
      replay: createMemoryReplayStore(),
    });
    const subgraphUrl = await subgraph.listen(0, '127.0.0.1');
    stops.unshift(() => subgraph.stop());
    const composed = composeSupergraph([
      { name: 'mobility', url: `${subgraphUrl}/graphql`, sdl: SDL },
    ]);
    if (!composed.ok) throw new Error('fixture does not compose');
    const gateway = createGateway({
      config: loadConfig({ NODE_ENV: 'test', RATE_LIMIT_REQUESTS: '0' }),
      logger: createLogger({
        service: 'gateway',
        destination: { write: (line: string) => void gatewayLines.push(line) },
      }),
      authenticate: async () => anonymousViewer,
      signingKey: keys.privateKey,
      supergraph: {
        hook: async () => ({ supergraphSdl: composed.supergraphSdl }),
        current: () => composed.supergraphSdl,
        checkNow: async () => false,
      },
      audit: { record: async () => {}, ping: async () => true },
      usage: { record: async () => {} },
    });
    base = await gateway.http.listen(0, '127.0.0.1');
    stops.unshift(() => gateway.http.stop());
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it('carries the client’s trace id through gateway, subgraph and database', async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: TRACEPARENT },
      body: JSON.stringify({ query: 'query Count { sensorCount }' }),
    });
    expect(await response.json()).toEqual({ data: { sensorCount: 1 } });

    const spans = exporter
      .getFinishedSpans()
      .filter((span) => span.spanContext().traceId === TRACE_ID);
    const names = spans.map((span) => span.name);
    process.stderr.write(
      'SPANS ' +
        JSON.stringify(
          exporter
            .getFinishedSpans()
            .map((s) => [s.name, s.spanContext().traceId]),
        ) +
        '\n',
    );
    // The gateway's and the subgraph's HTTP server spans, the gateway's own
    // fetch span (@apollo/gateway's), GraphQL execution in the subgraph, and
    // the count command in its database.
    const servers = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(servers.map((span) => span.name)).toEqual(['POST', 'POST']);
    expect(names).toContain('gateway.fetch');
    expect(names.some((name) => name.startsWith('query'))).toBe(true);
    expect(
      spans.some(
        (span) =>
          span.attributes['db.system'] === 'mongodb' ||
          span.attributes['db.system.name'] === 'mongodb',
      ),
    ).toBe(true);

    const traced = (lines: string[]) =>
      lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line['traceId'] === TRACE_ID);
    expect(traced(gatewayLines).length).toBeGreaterThan(0);
    expect(traced(subgraphLines).length).toBeGreaterThan(0);
  });

  it('keeps the gateway’s request and fetch spans once the operation takes the single-fetch fast path', async () => {
    // The first request of an operation plans it; the next ones take the
    // fast path (gateway/src/singleFetchExecutor.ts).
    const traceId = '5cf92f3577b34da6a3ce929d0e0e4737';
    for (const id of ['1111111111111111', traceId]) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          traceparent: `00-${id.padEnd(32, '0')}-00f067aa0ba902b7-01`,
        },
        body: JSON.stringify({ query: 'query Again { sensorCount }' }),
      });
      expect(await response.json()).toEqual({ data: { sensorCount: 1 } });
    }
    const spans = exporter
      .getFinishedSpans()
      .filter((span) => span.spanContext().traceId === traceId);
    const names = spans.map((span) => span.name);
    expect(names).toContain('gateway.request');
    expect(names).toContain('gateway.fetch');
    expect(names).not.toContain('gateway.execute');
    // The subgraph's spans are in the same trace.
    expect(spans.filter((span) => span.kind === SpanKind.SERVER)).toHaveLength(
      2,
    );
  });

  it('starts a new trace for a client that sends none', async () => {
    await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Fresh { sensorCount }' }),
    });
    const ids = new Set(
      exporter
        .getFinishedSpans()
        .filter((span) => span.kind === SpanKind.SERVER)
        .map((span) => span.spanContext().traceId),
    );
    expect(ids.size).toBeGreaterThanOrEqual(2);
  });
});
