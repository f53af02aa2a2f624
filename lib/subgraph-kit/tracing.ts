/**
 * Starts a subgraph's tracing before the modules it instruments are loaded:
 * each `subgraphs/<name>/src/index.ts` imports it first
 * (lib/runtime/tracing.ts). The service is named after the entry point's
 * folder, `subgraph-<name>`, unless `OTEL_SERVICE_NAME` says otherwise.
 */
import { loadConfig } from '../runtime/config.js';
import { startTracing } from '../runtime/tracing.js';

const entry = /subgraphs[\\/]([a-z-]+)[\\/]src[\\/]index\.ts$/.exec(
  process.argv[1] ?? '',
);
startTracing({
  service: `subgraph-${entry?.[1] ?? 'unknown'}`,
  enabled: loadConfig().tracing.enabled,
});
