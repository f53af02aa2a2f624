/**
 * `npm start`: the whole city graph on one machine, as separate processes.
 * One localdb per department and one for governance (data under
 * `<DATA_DIR>/<name>`, unless `<NAME>_MONGODB_URI` is set), seeded when
 * empty; development keys under `<DATA_DIR>/keys`; the five subgraphs and the
 * gateway as child processes; Ctrl-C stops everything cleanly.
 *
 *   tsx scripts/start.ts [--cpu-prof-dir <dir> --cpu-prof-services gateway,mobility,...]
 *
 * `--cpu-prof-dir` writes a CPU profile (`node --cpu-prof`) of each service named in
 * `--cpu-prof-services` (default: all of them) to `<dir>/<service>.cpuprofile` when it stops:
 * the benchmarks profile the subgraphs and the gateway through it (the embedded localdbs run in
 * this process; profile it with node's own `--cpu-prof`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEPARTMENTS,
  SUBGRAPH_NAMES,
  loadConfig,
  type SubgraphName,
} from '../lib/runtime/config.js';
import { writeDevServices } from '../lib/runtime/devServices.js';
import { createLogger } from '../lib/runtime/logger.js';
import {
  resolveDatabase,
  type ResolvedDatabase,
} from '../lib/runtime/mongo.js';
import { ensureDevKeys } from './devKeys.js';
import { seedDepartment } from './seed.js';

const { values: flags } = parseArgs({
  options: {
    'cpu-prof-dir': { type: 'string' },
    'cpu-prof-services': { type: 'string' },
  },
});
const profiled = new Set(
  flags['cpu-prof-dir'] === undefined
    ? []
    : (flags['cpu-prof-services']?.split(',').map((s) => s.trim()) ?? [
        ...SUBGRAPH_NAMES,
        'gateway',
      ]),
);
/** Node options of a service: a CPU profile when asked for (written when it exits). */
const profileArgs = (name: string): string[] =>
  profiled.has(name)
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${flags['cpu-prof-dir'] ?? ''}`,
        `--cpu-prof-name=${name}.cpuprofile`,
      ]
    : [];

const config = loadConfig();
const logger = createLogger({
  service: 'start',
  level: config.logLevel,
  format: config.logFormat,
});
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);

const keys = await ensureDevKeys(config.dataDir);
// Each subgraph's database: its <NAME>_MONGODB_URI, or an embedded localdb
// under <DATA_DIR>/<name> (the same rule every service applies on its own).
// All at once: each embedded one starts a worker thread, about 2 s apiece.
const databases = new Map<SubgraphName, ResolvedDatabase>(
  await Promise.all(
    SUBGRAPH_NAMES.map(
      async (name) =>
        [
          name,
          await resolveDatabase(config, name, logger.child({ localdb: name })),
        ] as const,
    ),
  ),
);
const uriOf = (name: SubgraphName) => databases.get(name)?.uri ?? '';
await writeDevServices(
  config.dataDir,
  Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, uriOf(n)])) as Record<
    SubgraphName,
    string
  >,
);

for (const department of DEPARTMENTS) {
  await seedDepartment(department, uriOf(department), logger, {
    onlyIfEmpty: true,
    rawRetentionDays: config.readings.rawRetentionDays,
  });
}

const env: NodeJS.ProcessEnv = {
  // The services' environment: the caller's, plus what this script decided.
  // eslint-disable-next-line n/no-process-env -- a child-process environment, not configuration
  ...process.env,
  DATA_DIR: config.dataDir,
  AUTH_PUBLIC_KEY_FILE: config.auth.publicKeyFile ?? keys.issuer.publicKeyFile,
  GATEWAY_TOKEN_PRIVATE_KEY_FILE: keys.gateway.privateKeyFile,
  GATEWAY_TOKEN_PUBLIC_KEY_FILE: keys.gateway.publicKeyFile,
  ...Object.fromEntries(
    SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_MONGODB_URI`, uriOf(n)]),
  ),
  // Where the gateway reaches each subgraph this script starts: the port it
  // was given (`<NAME>_PORT`), not supergraph.yaml's default routing_url,
  // unless the caller set `<NAME>_URL` itself.
  ...Object.fromEntries(
    SUBGRAPH_NAMES.map((n) => [
      `${n.toUpperCase()}_URL`,
      config.subgraphs[n].url ??
        `http://${reachableHost(config.bindHost)}:${config.subgraphs[n].port}/graphql`,
    ]),
  ),
};

/** The address a local client uses for a server bound to `host`: a wildcard bind is reached on loopback. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

const children = new Map<string, ChildProcess>();
function launch(name: string, entry: string): void {
  const child = spawn(
    process.execPath,
    [...profileArgs(name), '--import', 'tsx', path.join(root, entry)],
    {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping)
      logger.error(
        { service: name, code, signal },
        'service exited unexpectedly',
      );
  });
}

async function waitHealthy(
  name: string,
  url: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(name)) throw new Error(`${name} exited during start`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${name} did not become healthy within ${timeoutMs / 1000} s`,
  );
}

let stopping = false;
async function stop(code: number): Promise<never> {
  stopping = true;
  const exits = [...children.values()].map(
    (child) => new Promise((r) => child.once('exit', r)),
  );
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.race([
    Promise.all(exits),
    new Promise((r) => setTimeout(r, 10_000)),
  ]);
  for (const child of children.values()) child.kill('SIGKILL');
  for (const db of databases.values()) await db.stop();
  logger.info('city graph stopped');
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  for (const name of SUBGRAPH_NAMES)
    launch(name, `subgraphs/${name}/src/index.ts`);
  await Promise.all(
    SUBGRAPH_NAMES.map((name) =>
      waitHealthy(
        name,
        `http://${config.bindHost}:${config.subgraphs[name].port}/health`,
      ),
    ),
  );
  launch('gateway', 'gateway/src/index.ts');
  await waitHealthy(
    'gateway',
    `http://${config.bindHost}:${config.gateway.port}/health`,
  );
} catch (error) {
  logger.error(
    { err: error instanceof Error ? error.message : String(error) },
    'start failed',
  );
  await stop(1);
}

const host = config.bindHost;
const lines = [
  '',
  'The Marseille city graph is running:',
  `  explorer     http://localhost:${config.gateway.port}/graphql   (open it in a browser)`,
  `  gateway      http://localhost:${config.gateway.port}/graphql   (ready: /ready)`,
  ...SUBGRAPH_NAMES.map(
    (n) =>
      `  ${n.padEnd(12)} http://${host}:${config.subgraphs[n].port}/graphql   db ${uriOf(n)}/${n}`,
  ),
  `  data         ${config.dataDir}`,
  `  token        npm run -s token -- --role auditor --sub auditor-01`,
  '',
  'Ctrl-C stops everything.',
  '',
];
process.stdout.write(lines.join('\n'));
