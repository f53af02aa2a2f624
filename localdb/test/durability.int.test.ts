import {
  appendFileSync,
  existsSync,
  readdirSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  Binary,
  Decimal128,
  Double,
  Int32,
  Long,
  MongoClient,
  ObjectId,
  type Document,
} from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { makeTempDir, recordingLogger, startTestDb } from './startTestDb.js';

type Item = { _id: string; n?: number; price?: Decimal128; tag?: string };

async function withClient<T>(
  server: LocalDb,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const client = await MongoClient.connect(server.uri, {
    serverSelectionTimeoutMS: 5000,
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function journalPath(dir: string): string {
  const names = readdirSync(dir)
    .filter((n) => n.startsWith('journal-'))
    .sort();
  const last = names[names.length - 1];
  if (last === undefined) throw new Error('no journal');
  return join(dir, last);
}

describe('localdb durability', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  function tempDir(): string {
    const t = makeTempDir();
    cleanups.push(t.remove);
    return t.dir;
  }

  it('keeps data, updates, deletes and indexes across a restart', async () => {
    const dir = tempDir();
    let server = await startTestDb({ dataDir: dir });
    await withClient(server, async (client) => {
      const items = client.db('app').collection<Item>('items');
      await items.createIndex({ tag: 1 }, { unique: true });
      await items.insertMany([
        { _id: 'a', n: 1, tag: 'x', price: Decimal128.fromString('9.990') },
        { _id: 'b', n: 2, tag: 'y' },
        { _id: 'c', n: 3, tag: 'z' },
      ]);
      await items.updateOne({ _id: 'a' }, { $inc: { n: 10 } });
      await items.deleteOne({ _id: 'c' });
      await client.db('gone').collection('x').insertOne({});
      await client.db('gone').dropDatabase();
    });
    await server.stop();

    server = await startTestDb({ dataDir: dir });
    try {
      await withClient(server, async (client) => {
        const items = client.db('app').collection<Item>('items');
        const all = await items.find().sort({ _id: 1 }).toArray();
        expect(all.map((d) => [d._id, d.n])).toEqual([
          ['a', 11],
          ['b', 2],
        ]);
        expect(all[0]?.price?.toString()).toBe('9.990');
        await expect(
          items.insertOne({ _id: 'd', tag: 'y' }),
        ).rejects.toMatchObject({ code: 11000 });
        const dbs = await client.db().admin().listDatabases({ nameOnly: true });
        expect(dbs.databases.map((d) => d.name)).not.toContain('gone');
      });
    } finally {
      await server.stop();
    }
  });

  it('replays inserted documents, journaled as the bytes they came in, as they read before the restart', async () => {
    const dir = tempDir();
    const docs: Document[] = [
      {
        _id: 'wire',
        d: new Double(1),
        i: new Int32(7),
        big: Long.fromString('9007199254740993'),
        small: Long.fromNumber(5),
        price: Decimal128.fromString('1.50'),
        bin: new Binary(Buffer.from('ok')),
        at: new Date(1_700_000_000_000),
        nested: { list: [1, 'two', { three: 3 }], none: null },
      },
      // An integer-like key comes first in a JS object: re-ordered, so encoded again.
      { _id: 'numbered', '10': 'integer-like key', n: 1.5 },
      // No _id: the server adds it first, so this one is encoded, not taken from the wire.
      { name: 'no id' },
      // _id not first: moved to the front before it is stored.
      { x: 1, _id: 'late' },
    ];
    let server = await startTestDb({ dataDir: dir });
    const before = await withClient(server, async (client) => {
      const c = client.db('app').collection('wire');
      await c.insertMany(docs, { forceServerObjectId: true });
      return c.find({}, { promoteValues: false }).toArray();
    });
    await server.stop();
    server = await startTestDb({ dataDir: dir });
    try {
      const after = await withClient(server, (client) =>
        client
          .db('app')
          .collection('wire')
          .find({}, { promoteValues: false })
          .toArray(),
      );
      expect(after).toHaveLength(4);
      expect(after).toEqual(before);
      expect(after[2]?.['_id']).toBeInstanceOf(ObjectId);
      expect(Object.keys(after[3] ?? {})[0]).toBe('_id');
    } finally {
      await server.stop();
    }
  });

  it('drops a journal record torn by a crash and keeps every earlier write', async () => {
    const dir = tempDir();
    let server = await startTestDb({ dataDir: dir });
    await withClient(server, async (client) => {
      const items = client.db('app').collection<Item>('items');
      await items.insertOne({ _id: 'kept', n: 1 });
      await items.insertOne({ _id: 'torn', n: 2 });
    });
    await server.stop();
    const journal = journalPath(dir);
    truncateSync(journal, statSync(journal).size - 7);

    const logger = recordingLogger();
    server = await startTestDb({ dataDir: dir, logger });
    await withClient(server, async (client) => {
      const items = client.db('app').collection<Item>('items');
      expect(await items.find().toArray()).toEqual([{ _id: 'kept', n: 1 }]);
      await items.insertOne({ _id: 'after', n: 3 });
    });
    expect(logger.warnings.some((w) => /torn or corrupt/.test(w))).toBe(true);
    await server.stop();

    // The torn bytes were cut off, so the write made after restart replays too.
    server = await startTestDb({ dataDir: dir });
    try {
      await withClient(server, async (client) => {
        const ids = (
          await client.db('app').collection<Item>('items').find().toArray()
        ).map((d) => d._id);
        expect(ids).toEqual(['kept', 'after']);
      });
    } finally {
      await server.stop();
    }
  });

  it('ignores garbage after the last record and a record whose checksum fails', async () => {
    const dir = tempDir();
    let server = await startTestDb({ dataDir: dir });
    await withClient(server, async (client) => {
      await client
        .db('app')
        .collection<Item>('items')
        .insertOne({ _id: 'one', n: 1 });
    });
    await server.stop();
    // A frame header announcing 40 bytes with a wrong checksum, then noise.
    const bogus = Buffer.alloc(48, 0xab);
    bogus.writeUInt32LE(40, 0);
    appendFileSync(journalPath(dir), bogus);

    server = await startTestDb({ dataDir: dir, logger: recordingLogger() });
    try {
      await withClient(server, async (client) => {
        expect(
          await client.db('app').collection<Item>('items').find().toArray(),
        ).toEqual([{ _id: 'one', n: 1 }]);
      });
    } finally {
      await server.stop();
    }
  });

  it('compacts the journal into a snapshot and restarts from it', async () => {
    const dir = tempDir();
    let server = await startTestDb({ dataDir: dir, compactBytes: 2048 });
    await withClient(server, async (client) => {
      const items = client.db('app').collection<Item>('items');
      await items.createIndex({ tag: 1 }, { unique: true });
      for (let i = 0; i < 40; i += 1)
        await items.insertOne({ _id: `i${i}`, n: i, tag: `t${i}` });
      await items.updateMany({}, { $inc: { n: 100 } });
    });
    await server.stop();
    expect(existsSync(join(dir, 'snapshot.bson'))).toBe(true);
    expect(
      readdirSync(dir).filter((n) => n.startsWith('journal-')),
    ).toHaveLength(1);

    server = await startTestDb({ dataDir: dir });
    try {
      await withClient(server, async (client) => {
        const items = client.db('app').collection<Item>('items');
        expect(await items.countDocuments()).toBe(40);
        expect(await items.findOne({ _id: 'i7' })).toEqual({
          _id: 'i7',
          n: 107,
          tag: 't7',
        });
        await expect(
          items.insertOne({ _id: 'x', tag: 't3' }),
        ).rejects.toMatchObject({ code: 11000 });
      });
    } finally {
      await server.stop();
    }
  });

  it('keeps nothing without a data directory', async () => {
    let server = await startTestDb();
    await withClient(server, (client) =>
      client.db('app').collection('items').insertOne({ a: 1 }),
    );
    await server.stop();
    server = await startTestDb();
    try {
      await withClient(server, async (client) => {
        expect(
          await client.db('app').collection('items').countDocuments(),
        ).toBe(0);
      });
    } finally {
      await server.stop();
    }
  });
});
