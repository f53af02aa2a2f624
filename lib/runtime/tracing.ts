/**
 * OpenTelemetry tracing of every service: the official Node SDK with the
 * http (incoming requests, W3C `traceparent` accepted from clients), graphql
 * (parse, validate, execute, resolvers) and mongodb (every driver command,
 * under the request that sent it) instrumentations; spans exported over OTLP
 * as the standard `OTEL_*` variables say (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_TRACES_EXPORTER`, `OTEL_SERVICE_NAME`, ...). Off unless one of them
 * asks for it (config.tracing). docs/operations.md, "Traces".
 *
 * It must start before the modules it instruments are first loaded, so each
 * entry point imports a bootstrap module first (gateway/src/tracing.ts,
 * lib/subgraph-kit/tracing.ts), and the SDK is loaded synchronously, only
 * when tracing is on (top-level await would let sibling imports run first).
 */
import { createRequire } from 'node:module';
import type * as GraphQLInstrumentationModule from '@opentelemetry/instrumentation-graphql';
import type * as HttpInstrumentationModule from '@opentelemetry/instrumentation-http';
import type * as MongoDBInstrumentationModule from '@opentelemetry/instrumentation-mongodb';
import type * as SdkNodeModule from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

const require = createRequire(import.meta.url);

/** Options of {@link startTracing}. */
export interface StartTracingOptions {
  /** `service.name` of the spans, unless `OTEL_SERVICE_NAME` says otherwise. */
  readonly service: string;
  /** `config.tracing.enabled`: whether the `OTEL_*` variables turn tracing on. */
  readonly enabled: boolean;
  /**
   * Where spans go instead of the exporter the `OTEL_*` variables configure
   * (tests pass an in-memory exporter's processor).
   */
  readonly spanProcessors?: SpanProcessor[];
}

let sdk: SdkNodeModule.NodeSDK | null = null;

/**
 * Starts the SDK once per process; later calls do nothing. Returns whether
 * tracing is on. Paths that are probed, not served (`/health`, `/ready`,
 * `/metrics`), are not traced.
 */
export function startTracing(options: StartTracingOptions): boolean {
  if (sdk) return true;
  if (!options.enabled) return false;
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof SdkNodeModule;
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof HttpInstrumentationModule;
  const { GraphQLInstrumentation } =
    require('@opentelemetry/instrumentation-graphql') as typeof GraphQLInstrumentationModule;
  const { MongoDBInstrumentation } =
    require('@opentelemetry/instrumentation-mongodb') as typeof MongoDBInstrumentationModule;
  const probes = new Set(['/health', '/ready', '/metrics']);
  sdk = new NodeSDK({
    serviceName: options.service,
    ...(options.spanProcessors
      ? { spanProcessors: options.spanProcessors }
      : {}),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) =>
          probes.has(new URL(req.url ?? '/', 'http://localhost').pathname),
      }),
      // Root fields and their direct children: enough to see where time
      // goes without a span per scalar.
      new GraphQLInstrumentation({
        depth: 2,
        mergeItems: true,
        ignoreTrivialResolveSpans: true,
      }),
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  return true;
}

/** Flushes buffered spans and stops the SDK (each service's stop does, before exiting). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = null;
  await running?.shutdown();
}
