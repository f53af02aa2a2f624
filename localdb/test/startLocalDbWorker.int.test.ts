import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalDbWorker, type LocalDbLogger } from '../src/index.js';
import { makeTempDir } from './startTestDb.js';

function recordingLogger(): LocalDbLogger & {
  records: Array<{ level: string; obj: object; msg: string | undefined }>;
} {
  const records: Array<{
    level: string;
    obj: object;
    msg: string | undefined;
  }> = [];
  return {
    records,
    info: (obj, msg) => void records.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void records.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void records.push({ level: 'error', obj, msg }),
  };
}

// Pings the server at argv[1] for 1.2 s; prints "ready", then the longest wait in ms.
const PINGER = `
import { MongoClient } from 'mongodb';
const client = await MongoClient.connect(process.argv[1]);
const admin = client.db('admin');
await admin.command({ ping: 1 });
console.log('ready');
let longest = 0;
const end = Date.now() + 1200;
while (Date.now() < end) {
  const t0 = Date.now();
  await admin.command({ ping: 1 });
  longest = Math.max(longest, Date.now() - t0);
  await new Promise((resolve) => setTimeout(resolve, 5));
}
console.log(String(longest));
await client.close();
`;

describe('startLocalDbWorker', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('serves the driver from its own thread and keeps acknowledged writes across a restart', async () => {
    const temp = makeTempDir();
    cleanups.push(temp.remove);
    const first = await startLocalDbWorker({ dataDir: temp.dir });
    const client = await MongoClient.connect(first.uri);
    await client
      .db('city')
      .collection('sensors')
      .insertMany([
        { _id: 'a' as never, n: 1 },
        { _id: 'b' as never, n: 2 },
      ]);
    await client.close();
    await first.stop();

    const second = await startLocalDbWorker({ dataDir: temp.dir });
    cleanups.push(() => second.stop());
    const again = await MongoClient.connect(second.uri);
    cleanups.push(() => again.close());
    const docs = await again
      .db('city')
      .collection('sensors')
      .find({}, { sort: { _id: 1 } })
      .toArray();
    expect(docs).toEqual([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
    ]);
  });

  it("forwards the worker's log records to the caller's logger", async () => {
    const logger = recordingLogger();
    const db = await startLocalDbWorker({ logger });
    cleanups.push(() => db.stop());
    expect(logger.records).toContainEqual({
      level: 'info',
      obj: { uri: db.uri, dataDir: null },
      msg: 'localdb listening',
    });
  });

  it('warms its code up before it listens, and logs what the warm-up ran', async () => {
    const logger = recordingLogger();
    const db = await startLocalDbWorker({ logger, warmUpMs: 200 });
    cleanups.push(() => db.stop());
    const warm = logger.records.find((r) => r.msg === 'localdb: warmed up');
    expect(warm?.obj).toMatchObject({ failed: 0 });
    expect((warm?.obj as { rounds: number }).rounds).toBeGreaterThan(0);
    const listening = logger.records.findIndex(
      (r) => r.msg === 'localdb listening',
    );
    expect(logger.records.indexOf(warm as never)).toBeLessThan(listening);
  });

  it('rejects with the reason when the server cannot listen', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
    const address = taken.address();
    if (address === null || typeof address === 'string')
      throw new Error('no port');
    await expect(startLocalDbWorker({ port: address.port })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });

  it('keeps answering other processes while the calling thread is blocked', async () => {
    const db = await startLocalDbWorker();
    cleanups.push(() => db.stop());
    // A client in another process pings in a loop for 1.2 s and reports the
    // longest wait for an answer. Meanwhile this thread blocks for 500 ms:
    // an in-thread server would leave that client waiting the whole time.
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', PINGER, db.uri],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
    );
    cleanups.push(() => child.kill());
    const lines = createInterface({ input: child.stdout });
    const replies = lines[Symbol.asyncIterator]();
    expect((await replies.next()).value).toBe('ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const until = Date.now() + 500;
    while (Date.now() < until);
    const longest = Number((await replies.next()).value);
    expect(longest).toBeGreaterThan(0);
    expect(longest).toBeLessThan(300);
  });

  it('stop() resolves once, however often it is called', async () => {
    const db = await startLocalDbWorker();
    const stops = [db.stop(), db.stop()];
    expect(stops[0]).toBe(stops[1]);
    await Promise.all(stops);
    await expect(
      MongoClient.connect(db.uri, { serverSelectionTimeoutMS: 300 }),
    ).rejects.toThrow();
  });
});
