/**
 * `npm run bench:gateway`: our gateway against a peer (Hive Gateway runtime,
 * defaults) and against calling the subgraph directly, on the seeded city,
 * same supergraph, same running subgraphs (docs/performance.md).
 *
 * The city is started exactly as `npm start` starts it (scripts/start.ts) on
 * free ports with a temporary DATA_DIR; the peer runs beside it
 * (scripts/bench/hivePeer.ts). Both gateway processes are pinned to core 0
 * with `taskset` where it exists. Rate limiting is off for the run (one
 * anonymous client sends thousands of requests a second; the peer has none).
 * Each query is driven with autocannon: warm-up, then alternating rounds,
 * medians reported. Prints a table, writes the JSON result.
 *
 * Options: --duration <s> (10) --warmup <s> (3) --rounds <n> (3)
 *   --connections <n> (50) --out <file> (.data/bench-gateway.json)
 *   --only <scenario,...> --profile <dir> (our gateway under --cpu-prof)
 *   --cache both|on|off (both: our gateway with its response cache, as
 *   `npm start` runs it, and a second one with the cache off, side by side).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  createPrivateKey,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/runtime/config.js';
import {
  GATEWAY_TOKEN_HEADER,
  GATEWAY_TOKEN_ISSUER,
  GATEWAY_TOKEN_TYPE,
  bodyHash,
  gatewayTokenAudience,
} from '../lib/runtime/gatewayToken.js';
import { DISTRICTS } from '../lib/subgraph-kit/districts.js';
import { seededTrafficSensorIds } from '../lib/subgraph-kit/seedPlan.js';
import { ensureDevKeys } from './devKeys.js';
import { cmdline, cpuMs, descendants, sumCpuMs } from './bench/processCpu.js';
import { freePort } from './bench/startSeededCity.js';
import { writeJsonResult } from './bench/writeJsonResult.js';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Options {
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  out: string;
  only: string[] | null;
  profile: string | null;
  cache: 'both' | 'on' | 'off';
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    duration: 10,
    warmup: 3,
    rounds: 3,
    connections: 50,
    out: path.join(ROOT, '.data', 'bench-gateway.json'),
    only: null,
    profile: null,
    cache: 'both',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const int = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`${flag} must be a positive integer`);
      return n;
    };
    if (flag === '--duration') options.duration = int();
    else if (flag === '--warmup') options.warmup = int();
    else if (flag === '--rounds') options.rounds = int();
    else if (flag === '--connections') options.connections = int();
    else if (flag === '--out') options.out = path.resolve(value);
    else if (flag === '--only') options.only = value.split(',');
    else if (flag === '--profile') options.profile = path.resolve(value);
    else if (flag === '--cache') {
      if (value !== 'both' && value !== 'on' && value !== 'off')
        throw new Error('--cache must be both, on or off');
      options.cache = value;
    } else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

/** One query of the bench; variables vary per request. */
interface Scenario {
  name: string;
  /** The operation of request `i`: query and variables. */
  request: (i: number) => { query: string; variables: Record<string, unknown> };
  /** The subgraph that answers the query alone (direct baseline), if any. */
  direct?: SubgraphName;
}

const SENSOR_IDS = DISTRICTS.flatMap((d) => seededTrafficSensorIds(d.code));
const CODES = DISTRICTS.map((d) => d.code);

const SENSOR = /* GraphQL */ `
  query Sensor($id: ID!) {
    trafficSensor(id: $id) {
      id
      name
      roadName
      laneCount
    }
  }
`;
// The README's district query without `congestion` (as in issue 13).
const DISTRICT = /* GraphQL */ `
  query DistrictOverview($code: ID!) {
    district(code: $code) {
      name
      population
      airQuality {
        no2 {
          value
          unit
        }
        pm25 {
          value
          unit
        }
        index {
          level
          band
        }
      }
      businessCount
      sectorBreakdown {
        sector {
          section
          label
        }
        businessCount
      }
      digitalInclusion {
        latest {
          period
          residentsWithoutInternet {
            value
            unit
          }
        }
      }
      participation {
        workshopsHeld
        enrolmentsPer1000
      }
    }
  }
`;
// Page sizes as literals, as in the README and as docs/performance.md's
// figures were measured (a variable `first` is priced per request since
// issue 13, so these are served either way).
const stations = (first: number) => /* GraphQL */ `
  {
    airQualityStations(first: ${first}) {
      nodes {
        id
        name
        district {
          name
        }
        nearbyTrafficSensors {
          id
          roadName
          latestReading {
            occupancy
            congested
          }
        }
      }
    }
  }
`;
const workshops = (first: number) => /* GraphQL */ `
  {
    workshops(first: ${first}) {
      nodes {
        id
        title
        hostStartup {
          name
        }
        hostHub {
          name
          nearestTransitStop {
            name
            lines {
              shortName
            }
          }
        }
      }
    }
  }
`;

const SCENARIOS: Scenario[] = [
  {
    name: 'single-department',
    request: (i) => ({
      query: SENSOR,
      variables: { id: SENSOR_IDS[i % SENSOR_IDS.length] },
    }),
    direct: 'mobility',
  },
  {
    name: 'district',
    request: (i) => ({
      query: DISTRICT,
      variables: { code: CODES[i % CODES.length] },
    }),
  },
  {
    name: 'stations-sensors',
    request: (i) => ({ query: stations(1 + (i % 5)), variables: {} }),
  },
  {
    name: 'workshops-hub-stop',
    request: (i) => ({ query: workshops(1 + (i % 10)), variables: {} }),
  },
];

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** Pins a running process (all its threads) to core 0. */
function pin(pid: number): boolean {
  if (!hasTaskset) return false;
  return (
    spawnSync('taskset', ['-a', '-p', '-c', '0', String(pid)]).status === 0
  );
}

async function waitReady(
  check: () => Promise<boolean>,
  what: string,
  child: ChildProcess,
  timeoutMs = 240_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000} s`);
}

const b64url = (value: unknown) =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A gateway token for one direct subgraph request, signed synchronously so
 * autocannon can sign each request as it builds it: the same claims
 * lib/runtime/gatewayToken.ts signs (anonymous caller, body hash, jti).
 */
function signDirectToken(
  key: KeyObject,
  subgraph: string,
  body: string,
): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: 'EdDSA', typ: GATEWAY_TOKEN_TYPE })}.${b64url({
    scope: '',
    policies: [],
    rid: randomUUID(),
    bh: bodyHash(body),
    iss: GATEWAY_TOKEN_ISSUER,
    aud: gatewayTokenAudience(subgraph),
    iat: now,
    exp: now + 60,
    jti: randomUUID(),
  })}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

interface Target {
  name: 'ours' | 'ours-nocache' | 'peer' | 'direct';
  url: string;
  /** The gateway's /metrics, to count its response cache's hits. */
  metricsUrl?: string;
  /** The process that answers (its CPU time is counted per request). */
  pid: () => number | undefined;
  /** Signs the gateway token of a direct request. */
  token?: (body: string) => string;
}

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /**
   * CPU time (user + system, all threads) the target's own process spent
   * per answered request: unlike requests/s, barely moved by what else the
   * shared machine runs.
   */
  cpuMsPerRequest: number | null;
  /** CPU time of all five subgraph processes together per answered request. */
  subgraphsCpuMsPerRequest: number | null;
  /**
   * Share of the round's GraphQL requests our gateway answered from its
   * response cache (hits / (hits + misses + passes)); null for the others.
   */
  cacheHitRate: number | null;
}

/** The response cache's counters of a gateway, summed over their labels. */
async function cacheCounters(
  metricsUrl: string,
): Promise<{ hits: number; others: number } | null> {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const sum = (family: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(family))
        .reduce((n, line) => n + Number(line.split(' ').pop() ?? 0), 0);
    return {
      hits: sum('gateway_response_cache_hits_total'),
      others:
        sum('gateway_response_cache_misses_total') +
        sum('gateway_response_cache_passes_total'),
    };
  } catch {
    return null;
  }
}

async function sample(
  target: Target,
  scenario: Scenario,
): Promise<string | null> {
  const body = JSON.stringify(scenario.request(0));
  const response = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(target.token ? { [GATEWAY_TOKEN_HEADER]: target.token(body) } : {}),
    },
    body,
  });
  const json = (await response.json()) as {
    data?: unknown;
    errors?: { message: string }[];
  };
  if (response.status !== 200 || json.errors || !json.data)
    return `HTTP ${response.status}: ${JSON.stringify(json).slice(0, 300)}`;
  return null;
}

async function drive(
  target: Target,
  scenario: Scenario,
  seconds: number,
  connections: number,
  subgraphPids: readonly number[],
): Promise<Figures> {
  let i = 0;
  const cacheBefore = target.metricsUrl
    ? await cacheCounters(target.metricsUrl)
    : null;
  const cpuBefore = cpuMs(target.pid());
  const subgraphsBefore = sumCpuMs(subgraphPids);
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const body = JSON.stringify(scenario.request(i++));
          return {
            ...request,
            body,
            headers: {
              'content-type': 'application/json',
              ...(target.token
                ? { [GATEWAY_TOKEN_HEADER]: target.token(body) }
                : {}),
            },
          };
        },
      },
    ],
  });
  const cpuAfter = cpuMs(target.pid());
  const subgraphsAfter = sumCpuMs(subgraphPids);
  const cacheAfter = target.metricsUrl
    ? await cacheCounters(target.metricsUrl)
    : null;
  const looked =
    cacheBefore && cacheAfter
      ? cacheAfter.hits +
        cacheAfter.others -
        cacheBefore.hits -
        cacheBefore.others
      : 0;
  const answered = result['2xx'];
  const perRequest = (before: number | null, after: number | null) =>
    before !== null && after !== null && answered > 0
      ? Math.round(((after - before) / answered) * 1000) / 1000
      : null;
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuMsPerRequest: perRequest(cpuBefore, cpuAfter),
    subgraphsCpuMsPerRequest: perRequest(subgraphsBefore, subgraphsAfter),
    cacheHitRate:
      cacheBefore && cacheAfter && looked > 0
        ? Math.round(((cacheAfter.hits - cacheBefore.hits) / looked) * 1000) /
          1000
        : null,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const round2 = (n: number) => Math.round(n * 100) / 100;
const medianOrNull = (values: (number | null)[]) =>
  values.some((v) => v === null)
    ? null
    : Math.round(median(values as number[]) * 1000) / 1000;
const load = () => os.loadavg().map((n) => round2(n));

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const scenarios = SCENARIOS.filter(
    (s) => options.only === null || options.only.includes(s.name),
  );
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-gateway-'));
  const children: ChildProcess[] = [];
  const cleanup = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null)
              return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    await rm(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    const keys = await ensureDevKeys(dataDir);
    const ports = {
      gateway: await freePort(),
      peer: await freePort(),
      noCache: await freePort(),
    } as Record<SubgraphName | 'gateway' | 'peer' | 'noCache', number>;
    for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();
    const subgraphUrl = (name: SubgraphName) =>
      `http://127.0.0.1:${ports[name]}/graphql`;

    // The services' logs, kept beside the result (the data dir is removed).
    const logFile = options.out.replace(/\.json$/, '') + '.services.log';
    await mkdir(path.dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile);
    const env: NodeJS.ProcessEnv = {
      // eslint-disable-next-line n/no-process-env -- a child-process environment, not configuration
      ...process.env,
      DATA_DIR: dataDir,
      BIND_HOST: '127.0.0.1',
      GATEWAY_PORT: String(ports.gateway),
      RATE_LIMIT_REQUESTS: '0',
      LOG_FORMAT: 'json',
      // In the process, as `npm start` runs it (docs/performance.md, "Response cache").
      RESPONSE_CACHE: options.cache === 'off' ? 'off' : 'memory',
    };
    for (const name of SUBGRAPH_NAMES) {
      env[`${name.toUpperCase()}_PORT`] = String(ports[name]);
      env[`${name.toUpperCase()}_URL`] = subgraphUrl(name);
    }
    if (options.profile) await mkdir(options.profile, { recursive: true });

    process.stdout.write(
      `starting the city in ${dataDir} (load ${load().join(' ')})\n`,
    );
    const city = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts/start.ts')],
      { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(city);
    city.stdout.pipe(log);
    city.stderr.pipe(log);
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}/graphql`;
    await waitReady(
      async () =>
        (await fetch(`http://127.0.0.1:${ports.gateway}/ready`)).ok === true,
      'the city',
      city,
    );
    const gatewayPid = descendants(city.pid ?? 0).find((pid) =>
      cmdline(pid).includes('gateway/src/index.ts'),
    );
    let oursPinned = gatewayPid !== undefined && pin(gatewayPid);
    let oursPid = gatewayPid;
    const subgraphPids = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [
        name,
        descendants(city.pid ?? 0).find((pid) =>
          cmdline(pid).includes(`subgraphs/${name}/src/index.ts`),
        ),
      ]),
    ) as Record<SubgraphName, number | undefined>;
    const allSubgraphPids = Object.values(subgraphPids).filter(
      (pid): pid is number => pid !== undefined,
    );
    const environOf = (pid: number): Record<string, string> =>
      Object.fromEntries(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((entry) => {
            const at = entry.indexOf('=');
            return [entry.slice(0, at), entry.slice(at + 1)];
          }),
      );
    // Our gateway once more, same command and environment, with its
    // response cache off: the figures without the cache, in the same rounds.
    let noCache: ChildProcess | null = null;
    if (options.cache === 'both' && gatewayPid !== undefined) {
      const noCacheEnv = {
        ...environOf(gatewayPid),
        GATEWAY_PORT: String(ports.noCache),
        RESPONSE_CACHE: 'off',
        AUDIT_CHAIN_ID: 'bench-nocache',
        MQTT_CLIENT_ID: 'bench-nocache',
      };
      const args = ['--import', 'tsx', path.join(ROOT, 'gateway/src/index.ts')];
      noCache = hasTaskset
        ? spawn('taskset', ['-c', '0', process.execPath, ...args], {
            env: noCacheEnv,
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : spawn(process.execPath, args, {
            env: noCacheEnv,
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
      children.unshift(noCache);
      noCache.stdout?.pipe(log);
      noCache.stderr?.pipe(log);
      await waitReady(
        async () =>
          (await fetch(`http://127.0.0.1:${ports.noCache}/ready`)).ok === true,
        'our gateway without cache',
        noCache,
      );
    }
    if (options.profile && gatewayPid !== undefined) {
      // --cpu-prof is refused in NODE_OPTIONS: the gateway start.ts launched
      // is replaced by the same command, same environment, under --cpu-prof
      // (the profile is written when it stops at the end of the run).
      const gatewayEnv = environOf(gatewayPid);
      process.kill(gatewayPid, 'SIGTERM');
      while (descendants(city.pid ?? 0).includes(gatewayPid))
        await new Promise((r) => setTimeout(r, 200));
      const args = [
        '--cpu-prof',
        `--cpu-prof-dir=${options.profile}`,
        '--import',
        'tsx',
        path.join(ROOT, 'gateway/src/index.ts'),
      ];
      const profiled = hasTaskset
        ? spawn('taskset', ['-c', '0', process.execPath, ...args], {
            env: gatewayEnv,
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : spawn(process.execPath, args, {
            env: gatewayEnv,
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
      children.unshift(profiled);
      oursPid = profiled.pid;
      profiled.stdout.pipe(log);
      profiled.stderr.pipe(log);
      await waitReady(
        async () =>
          (await fetch(`http://127.0.0.1:${ports.gateway}/ready`)).ok === true,
        'the profiled gateway',
        profiled,
      );
      oursPinned = hasTaskset;
    }

    // The peer: the same supergraph, its routing URLs pointed at the
    // running subgraphs' ports.
    let supergraph = await readFile(
      path.join(ROOT, 'supergraph.graphql'),
      'utf8',
    );
    for (const name of SUBGRAPH_NAMES)
      supergraph = supergraph.replace(
        new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*`),
        `$1${subgraphUrl(name)}`,
      );
    const peerSupergraph = path.join(dataDir, 'supergraph.peer.graphql');
    await writeFile(peerSupergraph, supergraph);
    const peerArgs = [
      '--import',
      'tsx',
      path.join(ROOT, 'scripts/bench/hivePeer.ts'),
      String(ports.peer),
      peerSupergraph,
      keys.gateway.privateKeyFile,
      SUBGRAPH_NAMES.map((n) => `${subgraphUrl(n)}=${n}`).join(','),
    ];
    const peer = hasTaskset
      ? spawn('taskset', ['-c', '0', process.execPath, ...peerArgs], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, peerArgs, {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    children.push(peer);
    peer.stdout.pipe(log);
    peer.stderr.pipe(log);
    const peerUrl = `http://127.0.0.1:${ports.peer}/graphql`;
    await waitReady(
      async () =>
        (
          await fetch(peerUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"query":"{ __typename }"}',
          })
        ).ok,
      'the peer',
      peer,
    );

    const gatewayKey = createPrivateKey(
      await readFile(keys.gateway.privateKeyFile, 'utf8'),
    );
    process.stdout.write(
      `pinned to core 0: ours ${oursPinned ? 'yes' : 'no'}, peer ${hasTaskset ? 'yes' : 'no'}; ` +
        `${options.connections} connections, ${options.rounds} rounds of ${options.duration} s after ${options.warmup} s warm-up\n`,
    );

    const results: Record<string, unknown>[] = [];
    for (const scenario of scenarios) {
      const targets: Target[] = [
        {
          name: 'ours',
          url: gatewayUrl,
          pid: () => oursPid,
          metricsUrl: `http://127.0.0.1:${ports.gateway}/metrics`,
        },
        ...(noCache
          ? [
              {
                name: 'ours-nocache' as const,
                url: `http://127.0.0.1:${ports.noCache}/graphql`,
                pid: () => noCache.pid,
              },
            ]
          : []),
        { name: 'peer', url: peerUrl, pid: () => peer.pid },
      ];
      const direct = scenario.direct;
      if (direct)
        targets.push({
          name: 'direct',
          pid: () => subgraphPids[direct],
          url: subgraphUrl(direct),
          token: (body) => signDirectToken(gatewayKey, direct, body),
        });
      const problems: Record<string, string> = {};
      for (const target of targets) {
        const problem = await sample(target, scenario);
        if (problem) problems[target.name] = problem;
      }
      const loadBefore = load();
      for (const target of targets)
        await drive(
          target,
          scenario,
          options.warmup,
          options.connections,
          allSubgraphPids,
        );
      const rounds: Record<string, Figures[]> = {};
      for (let r = 0; r < options.rounds; r++) {
        // Alternate the order so no target always runs first.
        const order = [
          ...targets.slice(r % targets.length),
          ...targets.slice(0, r % targets.length),
        ];
        for (const target of order) {
          const figures = await drive(
            target,
            scenario,
            options.duration,
            options.connections,
            allSubgraphPids,
          );
          (rounds[target.name] ??= []).push(figures);
        }
      }
      const medians = Object.fromEntries(
        Object.entries(rounds).map(([name, list]) => [
          name,
          {
            requestsPerSecond: round2(
              median(list.map((f) => f.requestsPerSecond)),
            ),
            p50Ms: round2(median(list.map((f) => f.p50Ms))),
            p99Ms: round2(median(list.map((f) => f.p99Ms))),
            cpuMsPerRequest: medianOrNull(list.map((f) => f.cpuMsPerRequest)),
            subgraphsCpuMsPerRequest: medianOrNull(
              list.map((f) => f.subgraphsCpuMsPerRequest),
            ),
            cacheHitRate: medianOrNull(list.map((f) => f.cacheHitRate)),
            non2xx: list.reduce((n, f) => n + f.non2xx, 0),
            errors: list.reduce((n, f) => n + f.errors, 0),
          },
        ]),
      ) as Record<string, Figures>;
      const ours = medians['ours'];
      const ratio = (a?: number, b?: number) =>
        a !== undefined && b ? round2(a / b) : null;
      const result = {
        scenario: scenario.name,
        load: { before: loadBefore, after: load() },
        medians,
        ratios: {
          oursPerPeerRequestsPerSecond: ratio(
            ours?.requestsPerSecond,
            medians['peer']?.requestsPerSecond,
          ),
          oursPerPeerP99: ratio(ours?.p99Ms, medians['peer']?.p99Ms),
          oursPerDirectRequestsPerSecond: ratio(
            ours?.requestsPerSecond,
            medians['direct']?.requestsPerSecond,
          ),
          oursPerDirectP50: ratio(ours?.p50Ms, medians['direct']?.p50Ms),
          oursPerPeerCpuPerRequest: ratio(
            ours?.cpuMsPerRequest ?? undefined,
            medians['peer']?.cpuMsPerRequest ?? undefined,
          ),
          // Our gateway with its response cache off.
          noCachePerPeerRequestsPerSecond: ratio(
            medians['ours-nocache']?.requestsPerSecond,
            medians['peer']?.requestsPerSecond,
          ),
          noCachePerPeerP99: ratio(
            medians['ours-nocache']?.p99Ms,
            medians['peer']?.p99Ms,
          ),
          noCachePerDirectP50: ratio(
            medians['ours-nocache']?.p50Ms,
            medians['direct']?.p50Ms,
          ),
        },
        sampleProblems: problems,
        rounds,
      };
      results.push(result);
      process.stdout.write(
        `\n${scenario.name} (load ${loadBefore.join(' ')} → ${result.load.after.join(' ')})\n`,
      );
      for (const [name, f] of Object.entries(medians))
        process.stdout.write(
          `  ${name.padEnd(12)} ${f.requestsPerSecond.toFixed(1).padStart(8)} req/s  p50 ${String(f.p50Ms).padStart(6)} ms  p99 ${String(f.p99Ms).padStart(6)} ms` +
            `  cpu ${String(f.cpuMsPerRequest ?? '?').padStart(6)} ms/req (subgraphs ${f.subgraphsCpuMsPerRequest ?? '?'})` +
            (f.cacheHitRate === null
              ? ''
              : `  cache hits ${(f.cacheHitRate * 100).toFixed(1)} %`) +
            `${f.non2xx || f.errors ? `  (non-2xx ${f.non2xx}, errors ${f.errors})` : ''}${problems[name] ? `  SAMPLE FAILED: ${problems[name]}` : ''}\n`,
        );
      process.stdout.write(
        `  ours/peer req/s ${result.ratios.oursPerPeerRequestsPerSecond}, p99 ${result.ratios.oursPerPeerP99}, cpu/req ${result.ratios.oursPerPeerCpuPerRequest}` +
          (direct
            ? `; ours/direct req/s ${result.ratios.oursPerDirectRequestsPerSecond}, p50 ${result.ratios.oursPerDirectP50}`
            : '') +
          (medians['ours-nocache']
            ? `; without cache: ours/peer req/s ${result.ratios.noCachePerPeerRequestsPerSecond}, p99 ${result.ratios.noCachePerPeerP99}` +
              (direct
                ? `, ours/direct p50 ${result.ratios.noCachePerDirectP50}`
                : '')
            : '') +
          '\n',
      );
    }

    await writeJsonResult(options.out, {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      pinned: { ours: oursPinned, peer: hasTaskset },
      options: { ...options, out: undefined },
      peer: '@graphql-hive/gateway-runtime (defaults)',
      results,
    });
    process.stdout.write(`\nwritten ${options.out}\n`);
  } finally {
    await cleanup();
  }
}

await main();
