/**
 * Not a public module: what the benchmarks that need the whole city share. Starts the city as
 * `npm start` does (embedded localdb per department, seeded, five subgraphs and the gateway as
 * processes) on free ports, a temporary data directory and its own Redis key prefix, and
 * waits until the gateway is healthy.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { DEPARTMENTS, SUBGRAPH_NAMES } from '../../lib/runtime/config.js';
import { readDevServices } from '../../lib/runtime/devServices.js';
import { ROLLUP_PENDING_COLLECTION } from '../../lib/subgraph-kit/rollupPending.js';

const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../..',
);

/** A port the kernel says is free now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The value at percentile `p` (0-100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return (
    sorted[
      Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
    ] ?? Number.NaN
  );
}

/** A started city: its addresses, data directory and how to stop it. */
export interface SeededCity {
  /** `http://127.0.0.1:<port>/graphql`. */
  readonly graphqlUrl: string;
  /** `http://127.0.0.1:<port>`: the gateway's host, for NGSI and /metrics. */
  readonly baseUrl: string;
  /** Each subgraph's base URL (`http://127.0.0.1:<port>`), for its /metrics. */
  readonly subgraphBaseUrls: Readonly<Record<string, string>>;
  /** The temporary DATA_DIR (development keys are under `<dataDir>/keys`). */
  readonly dataDir: string;
  /** The pid of `scripts/start.ts` (which runs the embedded localdbs); the services are its children. */
  readonly pid: number;
  /** Seconds from spawn to a healthy gateway (seeding included). */
  readonly startSeconds: number;
  /** Stops every process and removes the data directory. */
  stop(): Promise<void>;
}

/** Options of {@link startSeededCity}. */
export interface StartSeededCityOptions {
  /** Variables added to the city's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Node options for the city's own process (`scripts/start.ts`, which runs the embedded
   * localdbs), e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']`.
   */
  readonly nodeArgs?: readonly string[];
  /**
   * CPU profiles of the services (`gateway`, `mobility`, ...) written to `dir` as
   * `<service>.cpuprofile` when the city stops (scripts/start.ts `--cpu-prof-dir`).
   */
  readonly profileServices?: {
    readonly dir: string;
    readonly services: readonly string[];
  };
  /** @default 300_000 */
  readonly timeoutMs?: number;
}

/** Starts the seeded city and resolves once its gateway answers /health. */
export async function startSeededCity(
  options: StartSeededCityOptions = {},
): Promise<SeededCity> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-city-'));
  const gatewayPort = await freePort();
  const ports: Record<string, string> = { GATEWAY_PORT: String(gatewayPort) };
  for (const name of SUBGRAPH_NAMES) {
    const port = await freePort();
    ports[`${name.toUpperCase()}_PORT`] = String(port);
    // Without it the gateway would route to supergraph.yaml's default ports.
    ports[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${port}/graphql`;
  }
  const env: NodeJS.ProcessEnv = {
    // The city's environment: the caller's, with its own ports, data and Redis keys.
    // eslint-disable-next-line n/no-process-env -- a child-process environment, not configuration
    ...process.env,
    ...ports,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    REDIS_KEY_PREFIX: `bench-city-${process.pid}:`,
    // These benches measure the graph and its stores: the gateway's response
    // cache (measured by bench:gateway, docs/performance.md) would answer their
    // repeated queries itself. A caller can turn it back on through `env`.
    RESPONSE_CACHE: 'off',
    ...options.env,
  };
  for (const name of SUBGRAPH_NAMES)
    delete env[`${name.toUpperCase()}_MONGODB_URI`];

  const city = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      path.join(root, 'scripts/start.ts'),
      ...(options.profileServices === undefined ||
      options.profileServices.services.length === 0
        ? []
        : [
            `--cpu-prof-dir=${options.profileServices.dir}`,
            `--cpu-prof-services=${options.profileServices.services.join(',')}`,
          ]),
    ],
    { env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise((resolve) => city.once('exit', resolve));
  const stop = async (): Promise<void> => {
    if (city.exitCode === null) city.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${gatewayPort}`;
  const tStart = performance.now();
  const timeoutMs = options.timeoutMs ?? 300_000;
  try {
    for (;;) {
      if (city.exitCode !== null)
        throw new Error('the city exited during start');
      try {
        const res = await fetch(`${baseUrl}/health`, {
          signal: AbortSignal.timeout(1000),
        });
        if (res.ok) break;
      } catch {
        // not up yet
      }
      if (performance.now() - tStart > timeoutMs)
        throw new Error(`the city did not start within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    graphqlUrl: `${baseUrl}/graphql`,
    baseUrl,
    subgraphBaseUrls: Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [
        name,
        `http://127.0.0.1:${ports[`${name.toUpperCase()}_PORT`] ?? ''}`,
      ]),
    ),
    dataDir,
    pid: city.pid ?? 0,
    startSeconds: (performance.now() - tStart) / 1000,
    stop,
  };
}

/** Sum and count of one Prometheus histogram, per label set, read from a /metrics page. */
export async function histogramTotals(
  metricsUrl: string,
  name: string,
): Promise<Map<string, { sum: number; count: number }>> {
  const text = await (await fetch(metricsUrl)).text();
  const totals = new Map<string, { sum: number; count: number }>();
  for (const line of text.split('\n')) {
    const m = /^(\w+)_(sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const labels = m[3] ?? '';
    const entry = totals.get(labels) ?? { sum: 0, count: 0 };
    if (m[2] === 'sum') entry.sum += Number(m[4]);
    else entry.count += Number(m[4]);
    totals.set(labels, entry);
  }
  return totals;
}

/** `after − before` of {@link histogramTotals}, as `labels: n × mean ms` lines, busiest first. */
export function histogramDelta(
  before: ReadonlyMap<string, { sum: number; count: number }>,
  after: ReadonlyMap<string, { sum: number; count: number }>,
): string[] {
  return [...after]
    .map(([labels, a]) => {
      const b = before.get(labels) ?? { sum: 0, count: 0 };
      return { labels, n: a.count - b.count, s: a.sum - b.sum };
    })
    .filter((d) => d.n > 0)
    .sort((x, y) => y.s - x.s)
    .map(
      (d) =>
        `${d.labels}: ${d.n} × ${((d.s / d.n) * 1000).toFixed(2)} ms = ${(d.s * 1000).toFixed(0)} ms`,
    );
}

/** What {@link waitForRollupCatchUp} saw: markers at the start, and how long the wait took. */
export interface RollupCatchUp {
  /** `rollup_pending` markers per department when the wait began. */
  readonly pendingAtStart: Readonly<Record<string, number>>;
  /** Seconds until every department's `rollup_pending` was empty. */
  readonly seconds: number;
}

/**
 * Waits until every department's `rollup_pending` (lib/subgraph-kit/rollupPending.ts) is empty:
 * the seed marks every seeded window, and each subgraph's rollup job works them off in the
 * department's localdb after start. A bench that measures before that measures the catch-up too.
 * Polls through the driver every `pollMs`; throws after `timeoutMs`.
 */
export async function waitForRollupCatchUp(
  city: Pick<SeededCity, 'dataDir'>,
  { timeoutMs = 600_000, pollMs = 1000 } = {},
): Promise<RollupCatchUp> {
  const uris = await readDevServices(city.dataDir);
  const clients = new Map<string, MongoClient>();
  for (const name of DEPARTMENTS)
    clients.set(name, await MongoClient.connect(uris[name] ?? ''));
  const t0 = performance.now();
  try {
    const count = async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        await Promise.all(
          [...clients].map(
            async ([name, client]) =>
              [
                name,
                await client
                  .db(name)
                  .collection(ROLLUP_PENDING_COLLECTION)
                  .estimatedDocumentCount(),
              ] as const,
          ),
        ),
      );
    const pendingAtStart = await count();
    for (let pending = pendingAtStart; ; pending = await count()) {
      const total = Object.values(pending).reduce((a, b) => a + b, 0);
      if (total === 0)
        return { pendingAtStart, seconds: (performance.now() - t0) / 1000 };
      if (performance.now() - t0 > timeoutMs)
        throw new Error(
          `rollup_pending not empty after ${timeoutMs / 1000} s: ${JSON.stringify(pending)}`,
        );
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    for (const client of clients.values()) await client.close();
  }
}
