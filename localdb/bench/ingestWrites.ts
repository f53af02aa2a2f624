// Not a public module: `npm run bench:localdb -- --only writes [--peer <checkout>]`, the
// write pattern of the city's ingestion replayed against a localdb CLI process with a
// data directory and fsync on, measured as that process's CPU per 1,000 readings.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  MongoClient,
  type AnyBulkWriteOperation,
  type Document,
} from 'mongodb';

const BATCH = 500;
const SENDERS = 4;
const SENSORS = 200;

/** Documents with string `_id`s, as the city's. */
type Keyed = { _id: string; [field: string]: unknown };

/** User + system CPU of a Linux process, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .split(') ')[1]
    ?.split(' ');
  return (Number(fields?.[11]) + Number(fields?.[12])) * 10;
}

/**
 * One run: per batch of 500 readings, what storeReadings, the outbox and the latest-
 * reading writes send (the key ledger's insert, the readings' insert into a time-series
 * collection with the readings' indexes, one `$setOnInsert` upsert per event, one `$set`
 * of `latest` per sensor, the relay's `deliveredAt` updateMany), four batches in flight.
 * Returns the server's CPU per 1,000 readings.
 */
export async function ingestWrites(
  cli: string,
  batches: number,
): Promise<{ cpuMsPer1000: number; readingsPerSecond: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'localdb-bench-writes-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--port', '0', '--data', dir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    let uri: string | undefined;
    for await (const line of createInterface({ input: child.stdout! })) {
      uri = (JSON.parse(line) as { uri?: string }).uri;
      if (uri !== undefined) break;
    }
    if (uri === undefined) throw new Error('localdb exited before its URI');
    const client = await MongoClient.connect(uri, { maxPoolSize: 8 });
    try {
      const db = client.db('mobility');
      await db.createCollection('readings', {
        timeseries: { timeField: 'observedAt', metaField: 'device' },
      });
      const readings = db.collection('readings');
      for (const key of [
        { 'device.id': 1, observedAt: -1 },
        { 'device.district': 1, observedAt: -1 },
        { observedAt: -1 },
      ] as const)
        await readings.createIndex(key);
      const outbox = db.collection<Keyed>('outbox');
      await outbox.createIndex({ deliveredAt: 1 });
      const sensors = db.collection<Keyed>('sensors');
      await sensors.insertMany(
        Array.from({ length: SENSORS }, (_, i) => ({
          _id: `s${i}`,
          district: `132${String(i % 16).padStart(2, '0')}`,
          tags: Array.from({ length: 20 }, (_, j) => `tag${j}`),
          notes: 'x'.repeat(1500),
        })),
      );
      let seq = 0;
      const batch = async (): Promise<void> => {
        const t0 = Date.now();
        const rs = Array.from({ length: BATCH }, () => {
          const n = (seq += 1);
          const sensor = `s${n % SENSORS}`;
          return {
            _id: `r${n}`,
            device: {
              id: sensor,
              district: `132${String(n % 16).padStart(2, '0')}`,
            },
            observedAt: new Date(t0 + n),
            intensity: n % 97,
            averageSpeed: 40 + (n % 20),
          };
        });
        await db.collection<Keyed>('reading_keys').insertMany(
          rs.map((r) => ({ _id: r._id })),
          { ordered: false },
        );
        await readings.insertMany(rs as unknown as Document[], {
          ordered: false,
        });
        await outbox.bulkWrite(
          rs.map((r): AnyBulkWriteOperation<Keyed> => ({
            updateOne: {
              filter: { _id: `e${r._id}` },
              update: {
                $setOnInsert: {
                  type: 'reading',
                  payload: { device: r.device, intensity: r.intensity },
                  createdAt: new Date(),
                },
              },
              upsert: true,
            },
          })),
          { ordered: false },
        );
        const latest = new Map(rs.map((r) => [r.device.id, r]));
        await sensors.bulkWrite(
          [...latest.values()].map((r): AnyBulkWriteOperation<Keyed> => ({
            updateOne: {
              filter: { _id: r.device.id },
              update: {
                $set: {
                  latest: {
                    observedAt: r.observedAt,
                    intensity: r.intensity,
                  },
                },
              },
            },
          })),
          { ordered: false },
        );
        await outbox.updateMany(
          { _id: { $in: rs.map((r) => `e${r._id}`) } },
          { $set: { deliveredAt: new Date() } },
        );
      };
      for (let i = 0; i < 4; i += 1) await batch(); // warm-up
      const cpu0 = cpuMs(child.pid ?? 0);
      const wall0 = performance.now();
      const seq0 = seq;
      let left = batches;
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          while (left > 0) {
            left -= 1;
            await batch();
          }
        }),
      );
      const n = seq - seq0;
      return {
        cpuMsPer1000: (cpuMs(child.pid ?? 0) - cpu0) / (n / 1000),
        readingsPerSecond: n / ((performance.now() - wall0) / 1000),
      };
    } finally {
      await client.close();
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
