import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Document } from 'bson';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../src/commands/dispatch.js';
import { CursorManager } from '../src/cursors/CursorManager.js';
import { silentLogger, type LocalDb } from '../src/index.js';
import { Store } from '../src/storage/Store.js';
import { makeTempDir, recordingLogger, startTestDb } from './startTestDb.js';

const MiB = 1024 * 1024;

type Doc = { _id: number | string; [field: string]: unknown };

async function withClient<T>(
  uri: string,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const client = await MongoClient.connect(uri, {
    serverSelectionTimeoutMS: 5000,
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Starts the localdb CLI as its own process and resolves with its URI. */
async function spawnLocalDb(
  dir: string,
): Promise<{ child: ChildProcess; uri: string; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'localdb/src/cli.ts', '--port', '0', '--data', dir],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const exited = once(child, 'exit');
  const lines = createInterface({
    input: child.stdout as NodeJS.ReadableStream,
  });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { uri?: string };
    if (entry.uri !== undefined) return { child, uri: entry.uri, exited };
  }
  throw new Error('localdb exited before listening');
}

/**
 * Runs a write command. Its journal record is written before dispatch returns (no other
 * command runs in between); the reply itself waits for the fsync.
 */
function run(
  store: Store,
  command: Record<string, unknown>,
): Promise<Document> {
  return Promise.resolve(
    dispatch(
      { ...command, $db: 'app' },
      {
        db: 'app',
        store,
        cursors: new CursorManager(),
        logger: silentLogger,
        connectionId: 1,
        remote: 'test',
      },
    ),
  );
}

describe('localdb durability at any legal size', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  function tempDir(): string {
    const t = makeTempDir();
    cleanups.push(t.remove);
    return t.dir;
  }
  async function start(dir: string, compactBytes?: number): Promise<LocalDb> {
    const server = await startTestDb({
      dataDir: dir,
      logger: recordingLogger(),
      ...(compactBytes === undefined ? {} : { compactBytes }),
    });
    cleanups.push(() => server.stop());
    return server;
  }

  it('refuses a document over 16 MiB with BSONObjectTooLarge and an update past it with 17419', async () => {
    const server = await start(tempDir());
    await withClient(server.uri, async (client) => {
      const db = client.db('app');
      const reply = await db.command({
        insert: 'big',
        documents: [{ _id: 1, s: 'x'.repeat(16 * MiB) }],
      });
      expect(reply['writeErrors']?.[0]).toMatchObject({
        code: 10334,
        errmsg: expect.stringMatching(/too large/),
      });
      await db
        .collection<Doc>('big')
        .insertOne({ _id: 2, s: 'x'.repeat(9 * MiB) });
      const update = await db.command({
        update: 'big',
        updates: [{ q: { _id: 2 }, u: { $set: { t: 'y'.repeat(9 * MiB) } } }],
      });
      expect(update['writeErrors']?.[0]).toMatchObject({ code: 17419 });
      expect(
        (await db.collection<Doc>('big').find().toArray()).map((d) => d['_id']),
      ).toEqual([2]);
    });
  });

  it('keeps a document just under 16 MiB and a 20 MB updateMany across a restart', async () => {
    const dir = tempDir();
    let server = await start(dir);
    const near = 'n'.repeat(16 * MiB - 100);
    await withClient(server.uri, async (client) => {
      const coll = client
        .db('app')
        .collection<{ _id: number; s: string }>('items');
      await coll.insertOne({ _id: -1, s: near });
      await coll.insertMany(
        Array.from({ length: 2000 }, (_, i) => ({
          _id: i,
          s: 'a'.repeat(10_000),
        })),
      );
      const r = await coll.updateMany({ _id: { $gte: 0 } }, [
        { $set: { s: { $concat: ['$s', 'b'] } } },
      ]);
      expect(r.modifiedCount).toBe(2000);
    });
    await server.stop();
    server = await start(dir);
    await withClient(server.uri, async (client) => {
      const coll = client
        .db('app')
        .collection<{ _id: number; s: string }>('items');
      expect((await coll.findOne({ _id: -1 }))?.s.length).toBe(near.length);
      expect(await coll.countDocuments({ s: /b$/ })).toBe(2000);
    });
  });

  it('compacts a state larger than 17 MiB and keeps accepting writes', async () => {
    const dir = tempDir();
    let server = await start(dir, 4 * MiB);
    await withClient(server.uri, async (client) => {
      const coll = client.db('app').collection<Doc>('items');
      for (let i = 0; i < 12; i += 1) {
        await coll.insertOne({ _id: i, s: String(i).repeat(2 * MiB) });
      }
      await coll.insertOne({ _id: 'last' });
    });
    await server.stop();
    expect(readdirSync(dir)).toContain('snapshot.bson');
    server = await start(dir);
    await withClient(server.uri, async (client) => {
      const coll = client.db('app').collection<Doc>('items');
      expect(await coll.countDocuments()).toBe(13);
      const doc = await coll.findOne({ _id: 11 });
      expect((doc?.['s'] as string).length).toBe(4 * MiB);
    });
  });

  it('does not apply a write whose journal record fails, and says so', async () => {
    const dir = tempDir();
    let fail = false;
    const store = Store.open({
      dataDir: dir,
      logger: silentLogger,
      faults: {
        journal: () => {
          if (fail) throw new Error('disk full');
        },
      },
    });
    await run(store, { insert: 'items', documents: [{ _id: 1, n: 1 }] });
    fail = true;
    const failed = await run(store, {
      update: 'items',
      updates: [{ q: {}, u: { $inc: { n: 1 } }, multi: true }],
    });
    expect(failed).toMatchObject({ ok: 0, errmsg: /journal write failed/ });
    const dropped = await run(store, { drop: 'items' });
    expect(dropped['ok']).toBe(0);
    fail = false;
    expect(store.getCollection('app', 'items')?.getById(1)).toEqual({
      _id: 1,
      n: 1,
    });
    store.close();
    const reopened = Store.open({ dataDir: dir, logger: silentLogger });
    expect([
      ...(reopened.getCollection('app', 'items')?.values() ?? []),
    ]).toEqual([{ _id: 1, n: 1 }]);
    reopened.close();
  });

  it('keeps writing when a compaction fails and compacts later', async () => {
    const dir = tempDir();
    let fail = true;
    const logger = { ...silentLogger, errors: 0 };
    const store = Store.open({
      dataDir: dir,
      compactBytes: 1024,
      logger: { ...logger, error: () => void (logger.errors += 1) },
      faults: {
        snapshot: () => {
          if (fail) throw new Error('no space for the snapshot');
        },
      },
    });
    for (let i = 0; i < 20; i += 1) {
      const r = await run(store, {
        insert: 'items',
        documents: [{ _id: i, s: 'x'.repeat(200) }],
      });
      expect(r).toMatchObject({ ok: 1, n: 1 });
    }
    expect(logger.errors).toBeGreaterThan(0);
    expect(readdirSync(dir)).not.toContain('snapshot.bson');
    fail = false;
    for (let i = 20; i < 40; i += 1)
      await run(store, { insert: 'items', documents: [{ _id: i }] });
    expect(readdirSync(dir)).toContain('snapshot.bson');
    store.close();
    const reopened = Store.open({ dataDir: dir, logger: silentLogger });
    expect(reopened.getCollection('app', 'items')?.size).toBe(40);
    reopened.close();
  });

  it('answers writes of one turn after one shared fsync (group commit)', async () => {
    const dir = tempDir();
    const events: string[] = [];
    const store = Store.open({
      dataDir: dir,
      logger: silentLogger,
      faults: { sync: () => void events.push('fsync') },
    });
    // Ten commands dispatched in one turn, as when ten sockets' requests arrive together.
    const replies = Array.from({ length: 10 }, (_, i) =>
      run(store, { insert: 'items', documents: [{ _id: i }] }).then((r) => {
        events.push(`reply ${i}`);
        return r;
      }),
    );
    expect(store.getCollection('app', 'items')?.size).toBe(10);
    expect(events).toEqual([]);
    for (const r of await Promise.all(replies))
      expect(r).toMatchObject({ ok: 1, n: 1 });
    expect(events[0]).toBe('fsync');
    expect(events.filter((e) => e === 'fsync')).toHaveLength(1);
    // A write while that fsync runs waits for the next one.
    await run(store, { insert: 'items', documents: [{ _id: 10 }] });
    expect(events.filter((e) => e === 'fsync')).toHaveLength(2);
    store.close();
    const reopened = Store.open({ dataDir: dir, logger: silentLogger });
    expect(reopened.getCollection('app', 'items')?.size).toBe(11);
    reopened.close();
  });

  it('fails the writes an fsync failure covered, and every write after it', async () => {
    const dir = tempDir();
    let fail = false;
    const store = Store.open({
      dataDir: dir,
      logger: silentLogger,
      faults: {
        sync: () => {
          if (fail) throw new Error('EIO');
        },
      },
    });
    expect(
      await run(store, { insert: 'items', documents: [{ _id: 1 }] }),
    ).toMatchObject({ ok: 1 });
    fail = true;
    expect(
      await run(store, { insert: 'items', documents: [{ _id: 2 }] }),
    ).toMatchObject({ ok: 0, errmsg: /journal fsync failed: EIO/ });
    fail = false;
    expect(
      await run(store, { insert: 'items', documents: [{ _id: 3 }] }),
    ).toMatchObject({ ok: 0, errmsg: /journal write failed/ });
    expect(store.getCollection('app', 'items')?.getById(3)).toBeUndefined();
    store.close();
  });

  it('compacts when the journal outgrows the last snapshot, not every compactBytes', async () => {
    const dir = tempDir();
    const store = Store.open({
      dataDir: dir,
      compactBytes: 1024,
      logger: silentLogger,
      fsync: false,
    });
    // About 100 KiB of state, then 200 KiB of updates to it.
    for (let i = 0; i < 100; i += 1)
      await run(store, {
        insert: 'items',
        documents: [{ _id: i, s: 'x'.repeat(1000) }],
      });
    for (let i = 0; i < 200; i += 1)
      await run(store, {
        update: 'items',
        updates: [{ q: { _id: i % 100 }, u: { $set: { n: i } } }],
      });
    const gen = Math.max(
      ...readdirSync(dir)
        .map((f) => /^journal-(\d+)\.log$/.exec(f)?.[1])
        .filter((g) => g !== undefined)
        .map(Number),
    );
    // Every 1 KiB of journal would be about 300 compactions, each rewriting the state;
    // relative to the snapshot's size, the insert phase doubles (about 7) and the
    // updates' 200 KiB add about 2.
    expect(gen).toBeGreaterThan(3);
    expect(gen).toBeLessThan(15);
    store.close();
    const reopened = Store.open({ dataDir: dir, logger: silentLogger });
    expect(reopened.getCollection('app', 'items')?.size).toBe(100);
    expect(reopened.getCollection('app', 'items')?.getById(99)?.['n']).toBe(
      199,
    );
    reopened.close();
  });

  it(
    'keeps every acknowledged write after kill -9',
    { timeout: 120_000 },
    async () => {
      const dir = tempDir();
      const first = await spawnLocalDb(dir);
      cleanups.push(() => first.child.kill('SIGKILL'));
      const acknowledged: number[] = [];
      await withClient(first.uri, async (client) => {
        const coll = client
          .db('app')
          .collection<{ _id: number; s: string }>('items');
        for (let i = 0; i < 50; i += 1) {
          await coll.insertOne({ _id: i, s: 'k'.repeat(i * 1000) });
          acknowledged.push(i);
        }
        await coll.updateMany({}, { $set: { updated: true } });
        // Writes in flight when the process dies: acknowledged or not, never torn.
        const pending = coll
          .insertMany(
            Array.from({ length: 2000 }, (_, i) => ({
              _id: 1000 + i,
              s: 'p'.repeat(1000),
            })),
          )
          .catch(() => undefined);
        first.child.kill('SIGKILL');
        await pending;
      });
      await first.exited;
      const second = await spawnLocalDb(dir);
      cleanups.push(async () => {
        second.child.kill('SIGTERM');
        await second.exited;
      });
      await withClient(second.uri, async (client) => {
        const coll = client.db('app').collection<Doc>('items');
        const ids = (await coll.find({ _id: { $lt: 1000 } }).toArray()).map(
          (d) => d._id,
        );
        expect(ids).toEqual(acknowledged);
        expect(await coll.countDocuments({ updated: true })).toBe(50);
        const inFlight = await coll.countDocuments({ _id: { $gte: 1000 } });
        expect([0, 2000]).toContain(inFlight);
      });
    },
  );
});
