/**
 * Prometheus metrics (prom-client): one registry per process, served at
 * `/metrics` by every service's HTTP front (lib/runtime/http.ts). Families
 * follow Prometheus naming (base units in the name, counters end in
 * `_total`) and keep labels low-cardinality: operation names are capped,
 * never ids, variables or raw queries (docs/operations.md, "Metrics").
 *
 * Families are created where they are observed, through {@link counter},
 * {@link histogram} and {@link gauge}, which return the registered family
 * when it exists: servers built several times in one process (tests, hot
 * reload) share one family instead of failing on a duplicate name.
 */
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';

/** The process's registry. */
export const metricsRegistry = new Registry();

let defaultsCollected = false;

/**
 * Names the process (`service` label on every family) and starts the
 * runtime metrics (CPU, memory, event-loop lag, GC). Called once by each
 * service at start; families work without it.
 */
export function initMetrics(service: string): void {
  metricsRegistry.setDefaultLabels({ service });
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** Latency buckets (seconds) for requests and fetches: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

function existing<T>(name: string): T | undefined {
  return metricsRegistry.getSingleMetric(name) as T | undefined;
}

/** The counter `name`, registered on first use. */
export function counter<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  return (
    existing<Counter<L>>(name) ??
    new Counter({ name, help, labelNames, registers: [metricsRegistry] })
  );
}

/** The histogram `name`, registered on first use. */
export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[] = LATENCY_BUCKETS,
): Histogram<L> {
  return (
    existing<Histogram<L>>(name) ??
    new Histogram({
      name,
      help,
      labelNames,
      buckets,
      registers: [metricsRegistry],
    })
  );
}

/** The gauge `name`, registered on first use. */
export function gauge<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  collect?: (this: Gauge<L>) => void | Promise<void>,
): Gauge<L> {
  return (
    existing<Gauge<L>>(name) ??
    new Gauge({
      name,
      help,
      labelNames,
      registers: [metricsRegistry],
      ...(collect ? { collect } : {}),
    })
  );
}

/**
 * A label whose values come from callers (operation names): the first
 * `limit` distinct values are kept, later ones are counted as `other`, so a
 * client inventing names cannot grow the series without bound.
 */
export function boundedLabel(limit = 200): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= limit) return 'other';
    seen.add(value);
    return value;
  };
}
