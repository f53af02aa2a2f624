/**
 * `npm run bench:audit [-- --events 2000] [--concurrency 1,10,50,200]`
 *
 * Measures what the audit trail adds to a request: the latency of
 * `record()` (chain, write with write concern, acknowledgement) under
 * concurrent callers, against a localdb that keeps its journal on disk with
 * fsync (what `npm start` runs). Prints p50/p99/max per concurrency level.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import {
  createAuditTrail,
  type AuditEventInput,
} from '../lib/records/audit/index.js';
import { createSilentLogger } from '../lib/runtime/logger.js';
import { startLocalDb } from '../localdb/src/index.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1,10,50,200' },
    memory: { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const levels = values.concurrency.split(',').map(Number);

const event = (i: number): AuditEventInput => ({
  at: new Date(),
  requestId: `bench-${i}`,
  subject: 'staff-01',
  scopes: ['engagement:staff', 'engagement:pii'],
  clientName: 'bench',
  clientVersion: '1',
  operationName: 'Reports',
  documentHash: 'a'.repeat(64),
  fields: [
    {
      coordinate: 'CitizenReport.reporterEmail',
      rule: 'scope engagement:pii',
      decision: 'allowed',
    },
    {
      coordinate: 'CitizenReport.reporterName',
      rule: 'scope engagement:pii',
      decision: 'allowed',
    },
  ],
  subgraphs: ['engagement', 'mobility'],
  outcome: 'success',
  errorCodes: [],
  durationMs: 12.3,
});

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ??
  0;

const dataDir = values.memory
  ? undefined
  : await mkdtemp(path.join(tmpdir(), 'bench-audit-'));
const localdb = await startLocalDb({
  port: 0,
  ...(dataDir ? { dataDir, fsync: true } : {}),
});
const client = await MongoClient.connect(localdb.uri);
console.log(
  `record() latency, ${total} events per level, localdb ${dataDir ? 'on disk with fsync' : 'in memory'}`,
);
console.log('concurrency |   p50 ms |   p99 ms |   max ms | events/s');
try {
  for (const concurrency of levels) {
    const trail = createAuditTrail({
      db: client.db(`bench_${concurrency}`),
      chainId: 'bench',
      logger: createSilentLogger(),
    });
    await trail.record(event(-1)); // index and head, outside the measure
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          const t0 = performance.now();
          await trail.record(event(i));
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await trail.close();
    latencies.sort((a, b) => a - b);
    const cell = (n: number, w = 8) => n.toFixed(2).padStart(w);
    console.log(
      `${String(concurrency).padStart(11)} | ${cell(percentile(latencies, 50))} | ${cell(percentile(latencies, 99))} | ${cell(latencies.at(-1) ?? 0)} | ${String(Math.round(total / seconds)).padStart(8)}`,
    );
  }
} finally {
  await client.close();
  await localdb.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
