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
import { MongoClient, type Collection } from 'mongodb';

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

const dataDir = mkdtempSync(join(tmpdir(), 'localdb-bench-'));
try {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
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
  await timeEach((i) => coll.findOne({ code: `k${pick(i + LOOKUPS)}` }), 5_000);
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
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
