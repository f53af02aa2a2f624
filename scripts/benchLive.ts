/**
 * `npm run bench:live [-- --subscribers 1000 --rate 500 --seconds 60 | --minutes 10 --sensors 100 --profile]`
 *
 * The live city under load (docs/live.md, "Performance"): a private Redis
 * as the broker, mobility's subgraph and the gateway as processes (as
 * `npm start` runs them), `--subscribers` graphql-ws clients, one
 * connection each, subscribed to `readingReceived` of `--sensors` traffic
 * sensors; then `--rate` reading events per second appended to mobility's
 * stream for `--seconds`. Prints the event-to-subscriber latency (p50, p99,
 * max: from the reading's time, carried in its id, to the message in the
 * client), deliveries per second, events lost for connected subscribers,
 * the gateway's resident memory over the run (a sample every
 * `--sample-seconds`, printed as it goes and in the result), and the CPU
 * time each process spent per delivered event: a figure that depends much
 * less than latency on what else the machine runs. `--profile` writes a V8
 * CPU profile of the gateway (`--cpu-prof`) and prints its heaviest
 * functions by self time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { readingId, type CityEvent } from '../lib/runtime/cityEvents.js';
import { createRedisEventBroker } from '../lib/runtime/eventBroker.js';
import { createSilentLogger } from '../lib/runtime/logger.js';
import { startPrivateRedis } from '../lib/tooling/testing/privateRedis.js';
import { startLocalDb } from '../localdb/src/index.js';
import { ensureDevKeys } from './devKeys.js';
import { seedDepartment } from './seed.js';
import { DISTRICTS } from '../lib/subgraph-kit/districts.js';
import { seededTrafficSensorIds } from '../lib/subgraph-kit/seedPlan.js';
import { freePort } from './bench/startSeededCity.js';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '60' },
    minutes: { type: 'string' },
    sensors: { type: 'string', default: '100' },
    'sample-seconds': { type: 'string', default: '5' },
    profile: { type: 'boolean', default: false },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const RATE = Number(values.rate);
// --minutes, when given, is the run's length (memory flat over 10 minutes).
const SECONDS =
  values.minutes === undefined
    ? Number(values.seconds)
    : Number(values.minutes) * 60;
const SAMPLE_SECONDS = Number(values['sample-seconds']);
const PROFILE = values.profile;
const SENSORS = Number(values.sensors);
const ROOT = path.resolve(import.meta.dirname, '..');
const out = (line: string) => process.stdout.write(`${line}\n`);

async function waitHealthy(url: string, child: ChildProcess, name: string) {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} not healthy`);
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** CPU time (user + system) a process has used so far, ms (/proc/<pid>/stat, clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces), from field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/** What the gateway's /metrics says of its queues: where memory would pile up. */
async function gatewayGauges(port: number) {
  try {
    const text = await (
      await fetch(`http://127.0.0.1:${port}/metrics`, {
        signal: AbortSignal.timeout(2000),
      })
    ).text();
    const sum = (name: string) => {
      let total: number | null = null;
      for (const line of text.split('\n'))
        if (line.startsWith(name) && !line.startsWith('#'))
          total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
      return total;
    };
    return {
      auditBacklog: sum('audit_backlog_events'),
      dropped: sum('gateway_live_events_dropped_total'),
    };
  } catch {
    return { auditBacklog: null, dropped: null };
  }
}

/** The heaviest functions of a V8 CPU profile by self time. */
async function topFunctions(file: string, count: number) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as {
    nodes: {
      id: number;
      callFrame: { functionName: string; url: string; lineNumber: number };
    }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(ROOT, '');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, us]) => ({
      selfPercent: Math.round((us / total) * 1000) / 10,
      fn,
    }));
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ??
  0;

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-live-'));
const redis = await startPrivateRedis();
const mobilityDb = await startLocalDb({ port: 0, fsync: false });
const governanceDb = await startLocalDb({ port: 0, fsync: false });
const children: ChildProcess[] = [];
const clients: Client[] = [];
const prefix = `bench-live-${process.pid}:`;
const broker = createRedisEventBroker({
  url: redis.url,
  prefix,
  logger: createSilentLogger(),
});

try {
  await seedDepartment('mobility', mobilityDb.uri, createSilentLogger());
  const keys = await ensureDevKeys(dataDir);
  const mobilityPort = await freePort();
  const gatewayPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    // eslint-disable-next-line n/no-process-env -- a child-process environment, not configuration
    PATH: process.env['PATH'],
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    BIND_HOST: '127.0.0.1',
    AUTH_ISSUER: 'urn:bench',
    AUTH_AUDIENCE: 'urn:bench',
    AUTH_PUBLIC_KEY_FILE: keys.issuer.publicKeyFile,
    GATEWAY_TOKEN_PRIVATE_KEY_FILE: keys.gateway.privateKeyFile,
    GATEWAY_TOKEN_PUBLIC_KEY_FILE: keys.gateway.publicKeyFile,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_REQUESTS: '0',
    LIVE_CONNECTIONS_PER_CALLER: String(SUBSCRIBERS + 10),
    GATEWAY_PORT: String(gatewayPort),
    MOBILITY_PORT: String(mobilityPort),
    MOBILITY_URL: `http://127.0.0.1:${mobilityPort}/graphql`,
    AUDIT_CHAIN_ID: 'bench-live',
  };
  // Every subgraph needs a database URI in production; only mobility runs.
  for (const name of ['mobility', 'environment', 'economy', 'engagement'])
    env[`${name.toUpperCase()}_MONGODB_URI`] = mobilityDb.uri;
  env['GOVERNANCE_MONGODB_URI'] = governanceDb.uri;
  const profileDir = path.join(dataDir, 'profile');
  const launch = (entry: string, flags: string[] = []) => {
    const child = spawn(
      process.execPath,
      [...flags, '--import', 'tsx', path.join(ROOT, entry)],
      { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(child);
    return child;
  };
  const mobility = launch('subgraphs/mobility/src/index.ts');
  await waitHealthy(
    `http://127.0.0.1:${mobilityPort}/health`,
    mobility,
    'mobility',
  );
  const gateway = launch(
    'gateway/src/index.ts',
    PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  await waitHealthy(
    `http://127.0.0.1:${gatewayPort}/health`,
    gateway,
    'gateway',
  );

  // The first SENSORS seeded sensors, taken district by district in turn.
  const seeded = DISTRICTS.map((d) => seededTrafficSensorIds(d.code));
  const sensors: string[] = [];
  for (let round = 0; sensors.length < SENSORS; round++) {
    const before = sensors.length;
    for (const ids of seeded) {
      const id = ids[round];
      if (id !== undefined && sensors.length < SENSORS) sensors.push(id);
    }
    if (sensors.length === before)
      throw new Error(`--sensors ${SENSORS}: the seed has only ${before}`);
  }
  const latencies = new Float64Array(
    Math.ceil(RATE * SECONDS * (SUBSCRIBERS / SENSORS) * 1.2) + 10_000,
  );
  let delivered = 0;
  let measuring = false;
  const received = new Array<number>(SUBSCRIBERS).fill(0);
  const warmedUp = new Array<boolean>(SUBSCRIBERS).fill(false);

  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = createClient({
      url: `ws://127.0.0.1:${gatewayPort}/graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    client.subscribe(
      {
        query:
          'subscription ($s: ID!) { readingReceived(sensorId: $s) { id observedAt trafficSensor { name } } }',
        variables: { s: sensors[i % SENSORS] },
      },
      {
        next: (message) => {
          const reading = (
            message.data as { readingReceived?: { observedAt: string } } | null
          )?.readingReceived;
          if (!reading) return;
          warmedUp[i] = true;
          if (!measuring) return;
          received[i] = (received[i] ?? 0) + 1;
          if (delivered < latencies.length)
            latencies[delivered] = Date.now() - Date.parse(reading.observedAt);
          delivered += 1;
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  }
  out(`${SUBSCRIBERS} subscribers connecting to ${SENSORS} sensors' readings`);

  // Warm up until every subscriber has had an event (all are registered).
  const event = (sensor: string, at: Date): CityEvent => ({
    id: readingId(sensor, at),
    department: 'mobility',
    type: 'reading.received',
    entity: { type: 'TrafficSensor', id: sensor },
    district: sensor.slice(7, 12),
    occurredAt: at,
    payload: {},
  });
  for (let round = 0; warmedUp.includes(false); round++) {
    if (round > 120) throw new Error('subscribers did not all register');
    const at = new Date();
    await broker.append(
      'mobility',
      sensors.map((s) => event(s, at)),
    );
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 1000));
  out('all subscribed; load starts');

  const t0 = Date.now();
  const rss: { atSeconds: number; mib: number }[] = [
    { atSeconds: 0, mib: await rssMiB(gateway.pid ?? 0) },
  ];
  const sampler = setInterval(
    () =>
      void Promise.all([
        rssMiB(gateway.pid ?? 0),
        gatewayGauges(gatewayPort),
      ]).then(([mib, gauges]) => {
        const atSeconds = Math.round((Date.now() - t0) / 1000);
        rss.push({ atSeconds, mib });
        out(
          `  ${atSeconds} s: gateway RSS ${mib} MiB, ${delivered} delivered, audit backlog ${gauges.auditBacklog ?? '?'}, dropped (slow subscribers) ${gauges.dropped ?? 0}`,
        );
      }),
    SAMPLE_SECONDS * 1000,
  );
  const cpuStart = {
    gateway: await cpuMs(gateway.pid ?? 0),
    mobility: await cpuMs(mobility.pid ?? 0),
    bench: process.cpuUsage(),
  };
  measuring = true;
  const sentPerSensor = new Map<string, number>();
  const tickMs = 20;
  const perTick = (RATE * tickMs) / 1000;
  const started = Date.now();
  let sent = 0;
  let next = 0;
  let lastMs = 0;
  while (Date.now() - started < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * RATE) - sent;
    const batch: CityEvent[] = [];
    // One reading per sensor and millisecond keeps ids unique: a second one
    // of the same sensor in this tick is dated a millisecond earlier (which
    // overstates its latency by as much).
    const nowMs = Math.max(Date.now(), lastMs + 1);
    lastMs = nowMs;
    for (let k = 0; k < Math.min(due, perTick * 4); k++) {
      const sensor = sensors[next % SENSORS] as string;
      next += 1;
      batch.push(event(sensor, new Date(nowMs - Math.floor(k / SENSORS))));
      sentPerSensor.set(sensor, (sentPerSensor.get(sensor) ?? 0) + 1);
    }
    if (batch.length > 0) await broker.append('mobility', batch);
    sent += batch.length;
    await new Promise((r) => setTimeout(r, tickMs));
  }
  const elapsed = (Date.now() - started) / 1000;
  // Let the last events arrive.
  await new Promise((r) => setTimeout(r, 5000));
  measuring = false;
  clearInterval(sampler);
  rss.push({
    atSeconds: Math.round((Date.now() - t0) / 1000),
    mib: await rssMiB(gateway.pid ?? 0),
  });
  const benchCpu = process.cpuUsage(cpuStart.bench);
  const cpu = {
    gateway: (await cpuMs(gateway.pid ?? 0)) - cpuStart.gateway,
    mobility: (await cpuMs(mobility.pid ?? 0)) - cpuStart.mobility,
    benchClients: (benchCpu.user + benchCpu.system) / 1000,
  };
  const perDelivery = (ms: number) =>
    delivered === 0 ? null : Math.round((ms / delivered) * 1000);

  let expected = 0;
  let lost = 0;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const want = sentPerSensor.get(sensors[i % SENSORS] as string) ?? 0;
    expected += want;
    lost += Math.max(0, want - (received[i] ?? 0));
  }
  const measured = latencies.slice(0, Math.min(delivered, latencies.length));
  measured.sort();
  const result = {
    subscribers: SUBSCRIBERS,
    sensors: SENSORS,
    eventsPerSecond: Math.round(sent / elapsed),
    seconds: Math.round(elapsed),
    deliveriesPerSecond: Math.round(delivered / elapsed),
    latencyMs: {
      p50: percentile(measured, 50),
      p99: percentile(measured, 99),
      max: measured[measured.length - 1] ?? 0,
    },
    expectedDeliveries: expected,
    lostDeliveries: lost,
    gatewayRssMiB: {
      start: rss[0]?.mib,
      end: rss.at(-1)?.mib,
      max: Math.max(...rss.map((r) => r.mib)),
      // Second half against first half: flat memory keeps this near 0.
      growthSecondHalfMiB: (() => {
        const half = rss.filter((r) => r.atSeconds >= SECONDS / 2);
        const first = half[0]?.mib ?? 0;
        return Math.round(((half.at(-1)?.mib ?? 0) - first) * 10) / 10;
      })(),
      samples: rss.map((r) => [r.atSeconds, r.mib]),
    },
    // CPU time per delivered event (µs): steadier than latency on a shared machine.
    cpuMicrosecondsPerDelivery: {
      gateway: perDelivery(cpu.gateway),
      mobility: perDelivery(cpu.mobility),
      benchClients: perDelivery(cpu.benchClients),
    },
    cpuSecondsTotal: {
      gateway: cpu.gateway / 1000,
      mobility: cpu.mobility / 1000,
      benchClients: Math.round(cpu.benchClients) / 1000,
    },
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
  };
  out(JSON.stringify(result, null, 2));
  if (PROFILE) {
    // The profile is written when the gateway exits.
    await new Promise<void>((resolve) => {
      gateway.once('exit', () => resolve());
      gateway.kill('SIGTERM');
    });
    const [file] = await readdir(profileDir);
    if (file)
      out(
        JSON.stringify(
          {
            gatewayProfileTopSelfTime: await topFunctions(
              path.join(profileDir, file),
              25,
            ),
          },
          null,
          2,
        ),
      );
  }
} finally {
  for (const client of clients) void client.dispose();
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
  await broker.close();
  await mobilityDb.stop();
  await governanceDb.stop();
  await redis.stop();
  await rm(dataDir, { recursive: true, force: true });
}
