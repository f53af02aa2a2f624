// `npm run bench:localdb`: throughput and latency of localdb through the real driver.
// Not a timed test: it prints figures, recorded in docs/localdb.md. The server runs as
// its own process (the `npm run localdb` CLI), as in development, so the client's
// garbage collection does not land in the server's figures and vice versa.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MongoClient, type Collection } from 'mongodb';
import { ingestWrites } from './ingestWrites.js';

const INSERT_DOCS = 10_000;
const INSERT_BATCH = 1_000;
const LOOKUP_DOCS = 100_000;
const LOOKUPS = 5_000;
const SCANS = 30;

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

interface RunningServer {
  uri: string;
  child: ChildProcess;
}

/** Starts the CLI on a free port and waits for its start line. */
async function startServer(args: string[]): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const parsed = JSON.parse(line) as { uri?: string };
    if (parsed.uri !== undefined) return { uri: parsed.uri, child };
  }
  throw new Error('localdb exited before printing its URI');
}

async function stopServer(server: RunningServer): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

function percentile(sorted: readonly number[], p: number): number {
  return (
    sorted[
      Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
    ] ?? Number.NaN
  );
}

function smallDoc(i: number): {
  code: string;
  name: string;
  n: number;
  tags: string[];
  at: Date;
} {
  return {
    code: `k${i}`,
    name: `stop ${i}`,
    n: i,
    tags: ['bus', `z${i % 10}`],
    at: new Date(1_700_000_000_000 + i),
  };
}

async function timeEach(
  run: (i: number) => Promise<unknown>,
  count: number,
): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const t0 = performance.now();
    await run(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function insertBatches(
  coll: Collection,
  offset: number,
): Promise<number> {
  const t0 = performance.now();
  for (let start = 0; start < INSERT_DOCS; start += INSERT_BATCH) {
    await coll.insertMany(
      Array.from({ length: INSERT_BATCH }, (_, j) =>
        smallDoc(offset + start + j),
      ),
    );
  }
  return INSERT_DOCS / ((performance.now() - t0) / 1000);
}

async function insertRate(args: string[], label: string): Promise<void> {
  const server = await startServer(args);
  const client = await MongoClient.connect(server.uri);
  const coll = client.db('bench').collection('inserts');
  await coll.createIndex({ code: 1 }, { unique: true });
  const cold = await insertBatches(coll, 0);
  const warm = await insertBatches(coll, INSERT_DOCS);
  console.log(
    `insert ${INSERT_DOCS} docs in batches of ${INSERT_BATCH}, unique index (${label}): ` +
      `${Math.round(warm).toLocaleString('en')} docs/s warm, ${Math.round(cold).toLocaleString('en')} docs/s first run`,
  );
  await client.close();
  await stopServer(server);
}

const SENSORS = 1_000;
const READINGS_PER_SENSOR = 1_000;
const TS_QUERIES = 2_000;

/**
 * 1,000,000 readings of 1,000 sensors, one a minute, indexed { sensorId: 1, observedAt: -1 }
 * as the mobility model declares: the latest reading, a 24-reading page and a week's count
 * of one sensor; then a findOne by _id issued while a 100,000-document aggregation runs.
 */
async function timeSeries(): Promise<void> {
  const server = await startServer([]);
  const client = await MongoClient.connect(server.uri, { maxPoolSize: 4 });
  const coll = client.db('bench').collection('readings');
  await coll.createIndex({ sensorId: 1, observedAt: -1 });
  const t0 = Date.UTC(2026, 0, 1);
  const tLoad = performance.now();
  for (let m = 0; m < READINGS_PER_SENSOR; m += 10) {
    const batch = [];
    for (let k = m; k < m + 10; k += 1)
      for (let s = 0; s < SENSORS; s += 1)
        batch.push({
          sensorId: `S${s}`,
          // Every 10 minutes: 1,000 readings span 6.9 days, about a week.
          observedAt: new Date(t0 + k * 600_000),
          intensity: (s * 31 + k) % 900,
          occupancy: ((s + k) % 100) / 100,
        });
    await coll.insertMany(batch, { ordered: false });
  }
  console.log(
    `loaded ${(SENSORS * READINGS_PER_SENSOR).toLocaleString('en')} readings in ${((performance.now() - tLoad) / 1000).toFixed(1)} s`,
  );
  const sensor = (i: number): string => `S${(i * 7919) % SENSORS}`;
  const latest = (i: number) =>
    coll.findOne({ sensorId: sensor(i) }, { sort: { observedAt: -1 } });
  await timeEach(latest, 1_000);
  const l = await timeEach(latest, TS_QUERIES);
  console.log(
    `latest reading of one sensor: p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms`,
  );
  const page = (i: number) =>
    coll
      .find({ sensorId: sensor(i) })
      .sort({ observedAt: -1 })
      .limit(24)
      .toArray();
  await timeEach(page, 500);
  const p = await timeEach(page, TS_QUERIES);
  console.log(
    `24-reading page of one sensor: p50 ${p.p50.toFixed(3)} ms, p99 ${p.p99.toFixed(3)} ms`,
  );
  // The sensor's last week: its readings from day 0.5 to day 7.5 (about 940 of them).
  const week = (i: number) =>
    coll.countDocuments({
      sensorId: sensor(i),
      observedAt: {
        $gte: new Date(t0 + 12 * 3600_000),
        $lt: new Date(t0 + 7.5 * 24 * 3600_000),
      },
    });
  await timeEach(week, 200);
  const w = await timeEach(week, 500);
  console.log(
    `time-range count over one sensor's week (${await week(0)} readings): p50 ${w.p50.toFixed(3)} ms, p99 ${w.p99.toFixed(3)} ms`,
  );
  await client.close();
  await stopServer(server);
  await headOfLine();
}

/** A findOne by _id alone, then while 100,000-document aggregations run on other connections. */
async function headOfLine(): Promise<void> {
  const server = await startServer([]);
  const client = await MongoClient.connect(server.uri, { maxPoolSize: 4 });
  const agg = client.db('bench').collection('agg');
  for (let start = 0; start < 100_000; start += 10_000)
    await agg.insertMany(
      Array.from({ length: 10_000 }, (_, j) => smallDoc(start + j)),
    );
  const probeId = (await agg.findOne({}))?._id;
  if (probeId === undefined) throw new Error('no document to probe');
  const pipeline = [
    { $match: { n: { $gte: 0 } } },
    { $group: { _id: { $mod: ['$n', 100] }, total: { $sum: '$n' } } },
    { $sort: { total: -1 } },
  ];
  await agg.aggregate(pipeline).toArray();
  const tAgg = performance.now();
  for (let i = 0; i < 5; i += 1) await agg.aggregate(pipeline).toArray();
  console.log(
    `one 100,000-document aggregation alone: ${((performance.now() - tAgg) / 5).toFixed(0)} ms`,
  );
  await timeEach(() => agg.findOne({ _id: probeId }), 500);
  const idle = await timeEach(() => agg.findOne({ _id: probeId }), 1_000);
  console.log(
    `findOne by _id, nothing else running: p50 ${idle.p50.toFixed(3)} ms, p99 ${idle.p99.toFixed(3)} ms`,
  );
  // One aggregation at a time, then three at once on three other connections: with
  // several long reads paused, each point read should still wait for one slice only.
  for (const concurrent of [1, 3]) {
    const times: number[] = [];
    let running = true;
    let runs = 0;
    const aggregations = Array.from({ length: concurrent }, async () => {
      while (running) {
        await agg.aggregate(pipeline).toArray();
        runs += 1;
      }
    });
    for (let i = 0; i < 300; i += 1) {
      const tq = performance.now();
      await agg.findOne({ _id: probeId });
      times.push(performance.now() - tq);
    }
    running = false;
    await Promise.all(aggregations);
    times.sort((a, b) => a - b);
    console.log(
      `findOne by _id during 100,000-document aggregations, ${concurrent} at a time (${runs} ran): p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms`,
    );
  }
  await client.close();
  await stopServer(server);
}

const { values: flags } = parseArgs({
  options: { only: { type: 'string' }, peer: { type: 'string' } },
});

/**
 * `--only writes`: ingestion's write pattern (localdb/bench/ingestWrites.ts), three
 * alternating rounds of this checkout and, with `--peer <checkout>` (e.g. a git worktree
 * of an older commit), the peer's localdb; medians of the server's CPU per 1,000 readings.
 */
async function writes(): Promise<void> {
  const servers: Array<[string, string]> = [['this checkout', cli]];
  if (flags.peer !== undefined)
    servers.push([
      `peer ${flags.peer}`,
      join(flags.peer, 'localdb/src/cli.ts'),
    ]);
  const runs = new Map<string, number[]>(servers.map(([name]) => [name, []]));
  for (let round = 0; round < 3; round += 1)
    for (const [name, path] of servers) {
      const r = await ingestWrites(path, 40);
      runs.get(name)?.push(r.cpuMsPer1000);
      console.log(
        `round ${round + 1}, ${name}: ${r.cpuMsPer1000.toFixed(1)} ms CPU per 1,000 readings, ${Math.round(r.readingsPerSecond).toLocaleString('en')} readings/s`,
      );
    }
  for (const [name, values] of runs) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(
      `${name}: median ${percentile(sorted, 50).toFixed(1)} ms CPU per 1,000 readings (20,000 readings a round)`,
    );
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'localdb-bench-'));
try {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  if (flags.only === 'writes') {
    await writes();
  } else if (flags.only === 'timeseries') {
    await timeSeries();
  } else if (flags.only === 'headofline') {
    await headOfLine();
  } else {
    await insertRate([], 'in memory');
    await insertRate(['--data', dataDir], 'dataDir, fsync on');

    const server = await startServer([]);
    const client = await MongoClient.connect(server.uri);
    const coll = client.db('bench').collection('lookup');
    await coll.createIndex({ code: 1 }, { unique: true });
    for (let start = 0; start < LOOKUP_DOCS; start += 5_000) {
      await coll.insertMany(
        Array.from({ length: 5_000 }, (_, j) => smallDoc(start + j)),
      );
    }
    const pick = (i: number): number => (i * 7919) % LOOKUP_DOCS;
    // Warm-up: JIT on both sides, and the garbage collection that follows loading 100,000 documents.
    await timeEach(
      (i) => coll.findOne({ code: `k${pick(i + LOOKUPS)}` }),
      5_000,
    );
    const indexed = await timeEach(
      (i) => coll.findOne({ code: `k${pick(i)}` }),
      LOOKUPS,
    );
    console.log(
      `findOne by unique key, ${LOOKUP_DOCS.toLocaleString('en')} docs, ${LOOKUPS} lookups: ` +
        `p50 ${indexed.p50.toFixed(3)} ms, p99 ${indexed.p99.toFixed(3)} ms`,
    );
    const scan = await timeEach(
      (i) => coll.findOne({ name: `stop ${pick(i)}` }),
      SCANS,
    );
    console.log(
      `same findOne on a non-indexed field (collection scan), ${SCANS} lookups: ` +
        `p50 ${scan.p50.toFixed(3)} ms, p99 ${scan.p99.toFixed(3)} ms`,
    );
    await client.close();
    await stopServer(server);
    await timeSeries();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
