import {
  Long,
  MongoClient,
  ObjectId,
  type Db,
  type Document,
  type UpdateFilter,
} from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { codeOf, makeTempDir, startTestDb } from './startTestDb.js';

type Loose = { _id: string | number; [key: string]: unknown };
/** An update document, untyped: the driver's types want numbers where these fields are `unknown`. */
const u = (update: Document): UpdateFilter<Loose> =>
  update as UpdateFilter<Loose>;

// Updates of top-level fields are applied on a copy of the document's top level only,
// with only the indexes on changed fields touched: these pin that they behave as any
// other update does.
describe('updates of top-level fields', () => {
  let server: LocalDb;
  let client: MongoClient;
  let db: Db;
  let n = 0;
  const fresh = () => db.collection<Loose>(`c${(n += 1)}`);

  beforeAll(async () => {
    server = await startTestDb();
    client = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    db = client.db('toplevel');
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('finds the document of an { _id } filter as a find would: equal numbers of any type, upserts, collation', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, v: 0 },
      { _id: 'A', v: 0 },
      { _id: Long.fromNumber(2) as unknown as number, v: 0 },
    ]);
    const one = await c.updateOne({ _id: 1.0 }, u({ $inc: { v: 1 } }));
    expect([one.matchedCount, one.modifiedCount]).toEqual([1, 1]);
    const two = await c.updateMany({ _id: 2 }, u({ $inc: { v: 1 } }));
    expect([two.matchedCount, two.modifiedCount]).toEqual([1, 1]);
    const none = await c.updateOne({ _id: 'a' }, u({ $inc: { v: 1 } }));
    expect(none.matchedCount).toBe(0);
    const folded = await c.updateOne({ _id: 'a' }, u({ $inc: { v: 1 } }), {
      collation: { locale: 'en', strength: 2 },
    });
    expect(folded.matchedCount).toBe(1);
    const up = await c.updateOne(
      { _id: 'new' },
      u({ $setOnInsert: { v: 7 } }),
      { upsert: true },
    );
    expect(up.upsertedId).toBe('new');
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 1 },
      { _id: 2, v: 1 },
      { _id: 'A', v: 1 },
      { _id: 'new', v: 7 },
    ]);
  });

  it('applies $set, $unset, $inc, $min, $max and $currentDate together, keeping field order', async () => {
    const c = fresh();
    const before = new Date('2026-01-01T00:00:00Z');
    await c.insertOne({
      _id: 'a',
      name: 'x',
      count: 1,
      low: 5,
      high: 5,
      gone: true,
      seen: before,
      sub: { k: [1, 2] },
    });
    const r = await c.updateOne(
      { _id: 'a' },
      u({
        $set: { name: 'y', added: { deep: 1 } },
        $unset: { gone: '' },
        $inc: { count: 2, fresh: 3 },
        $min: { low: 2 },
        $max: { high: 9 },
        $currentDate: { touched: true },
      }),
    );
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 1]);
    const doc = (await c.findOne({ _id: 'a' })) as Document;
    expect(Object.keys(doc)).toEqual([
      '_id',
      'name',
      'count',
      'low',
      'high',
      'seen',
      'sub',
      'added',
      'fresh',
      'touched',
    ]);
    expect(doc).toMatchObject({
      name: 'y',
      count: 3,
      low: 2,
      high: 9,
      fresh: 3,
      seen: before,
      sub: { k: [1, 2] },
      added: { deep: 1 },
    });
    expect(doc['touched']).toBeInstanceOf(Date);
  });

  it('counts an update that changes no value as not modified', async () => {
    const c = fresh();
    await c.insertOne({
      _id: 'a',
      v: 1,
      d: new Date(5),
      sub: { x: 1 },
      n: 4,
    });
    for (const update of [
      { $set: { v: 1, d: new Date(5), sub: { x: 1 } } },
      { $max: { n: 3 } },
      { $min: { n: 7 } },
      { $unset: { missing: '' } },
      { $inc: { n: 0 } },
      { $setOnInsert: { v: 2 } },
    ]) {
      const r = await c.updateOne({ _id: 'a' }, u(update));
      expect([update, r.matchedCount, r.modifiedCount]).toEqual([update, 1, 0]);
    }
    const r = await c.updateOne({ _id: 'a' }, { $set: { sub: { x: 2 } } });
    expect(r.modifiedCount).toBe(1);
  });

  it('tells a nested value that changed from one that did not, as its BSON would', async () => {
    const c = fresh();
    const oid = new ObjectId();
    const latest = {
      at: new Date(5),
      v: 1.5,
      tags: ['a', { k: null }],
      ref: oid,
      big: Long.fromString('9007199254740993'),
    };
    await c.insertOne({ _id: 'a', latest });
    const cases: Array<[Document, number]> = [
      [{ ...latest, ref: new ObjectId(oid.toHexString()) }, 0],
      [{ ...latest, tags: ['a', { k: null }] }, 0],
      [{ ...latest, tags: ['a', { k: 0 }] }, 1],
      [{ ...latest, tags: ['a', { k: 0 }, 'b'] }, 1],
      [{ ...latest, at: new Date(6) }, 1],
      [{ ...latest, v: 2 }, 1],
      [{ ...latest, ref: new ObjectId() }, 1],
      [{ ...latest, big: Long.fromString('9007199254740995') }, 1],
      // The same fields in another order are another document.
      [
        {
          v: latest.v,
          at: latest.at,
          tags: latest.tags,
          ref: latest.ref,
          big: latest.big,
        },
        1,
      ],
    ];
    for (const [value, modified] of cases) {
      const r = await c.updateOne({ _id: 'a' }, { $set: { latest: value } });
      expect([value, r.modifiedCount]).toEqual([value, modified]);
      if (modified === 1) await c.updateOne({ _id: 'a' }, { $set: { latest } });
    }
    expect((await c.findOne({ _id: 'a' }))?.['latest']).toEqual(latest);
  });

  it('keeps every index in step: the changed field is found by its new value only', async () => {
    const c = fresh();
    await c.createIndex({ status: 1 });
    await c.createIndex({ 'meta.zone': 1, rank: -1 });
    await c.insertMany([
      { _id: 'a', status: 'new', meta: { zone: 'n' }, rank: 1 },
      { _id: 'b', status: 'new', meta: { zone: 's' }, rank: 2 },
    ]);
    await c.updateMany({}, u({ $set: { status: 'done' }, $inc: { rank: 10 } }));
    await c.updateOne({ _id: 'b' }, { $set: { meta: { zone: 'n' } } });
    const ids = async (q: Document, hint: string) =>
      (await c.find(q).hint(hint).toArray()).map((d) => d._id);
    expect(await ids({ status: 'new' }, 'status_1')).toEqual([]);
    expect(await ids({ status: 'done' }, 'status_1')).toEqual(['a', 'b']);
    expect(await ids({ 'meta.zone': 'n' }, 'meta.zone_1_rank_-1')).toEqual([
      'b',
      'a',
    ]);
    expect(await ids({ 'meta.zone': 's' }, 'meta.zone_1_rank_-1')).toEqual([]);
  });

  it('refuses a duplicate unique key with E11000 and changes nothing', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.createIndex({ n: 1 });
    await c.insertMany([
      { _id: 'a', email: 'a@x', n: 1 },
      { _id: 'b', email: 'b@x', n: 2 },
    ]);
    expect(
      await codeOf(
        c.updateOne(
          { _id: 'b' },
          u({ $set: { email: 'a@x' }, $inc: { n: 5 } }),
        ),
      ),
    ).toBe(11000);
    expect(await c.findOne({ _id: 'b' })).toEqual({
      _id: 'b',
      email: 'b@x',
      n: 2,
    });
    expect((await c.find({ n: 2 }).hint('n_1').toArray()).length).toBe(1);
    expect((await c.find({ n: 7 }).hint('n_1').toArray()).length).toBe(0);
  });

  it("keeps MongoDB's errors for operators on the wrong types", async () => {
    const c = fresh();
    await c.insertOne({ _id: 'a', s: 'text', n: 1 });
    expect(await codeOf(c.updateOne({ _id: 'a' }, u({ $inc: { s: 1 } })))).toBe(
      14,
    );
    expect(
      await codeOf(
        c.updateOne({ _id: 'a' }, u({ $set: { n: 2 }, $inc: { n: 1 } })),
      ),
    ).toBe(40);
    expect(
      await codeOf(c.updateOne({ _id: 'a' }, { $set: { _id: 'b' } })),
    ).toBe(66);
    expect(await c.findOne({ _id: 'a' })).toEqual({
      _id: 'a',
      s: 'text',
      n: 1,
    });
  });

  it('upserts with $setOnInsert and $inc seeded from the filter', async () => {
    const c = fresh();
    const r = await c.updateOne(
      { _id: 'a', kind: 'k' },
      u({ $setOnInsert: { created: 1 }, $inc: { hits: 1 } }),
      { upsert: true },
    );
    expect(r.upsertedId).toBe('a');
    await c.updateOne(
      { _id: 'a', kind: 'k' },
      u({ $setOnInsert: { created: 2 }, $inc: { hits: 1 } }),
      { upsert: true },
    );
    expect(await c.findOne({ _id: 'a' })).toEqual({
      _id: 'a',
      kind: 'k',
      created: 1,
      hits: 2,
    });
  });

  it('leaves an older version read by a cursor as it was, and journals the new one', async () => {
    const tmp = makeTempDir();
    try {
      const s = await startTestDb({ dataDir: tmp.dir });
      const cl = await MongoClient.connect(s.uri);
      const c = cl.db('t').collection<Loose>('c');
      await c.insertMany(
        Array.from({ length: 5 }, (_, i) => ({
          _id: i,
          v: 0,
          sub: { a: [i] },
        })),
      );
      const cursor = c.find({}).batchSize(2);
      const first = await cursor.next();
      await c.updateMany({}, { $set: { v: 1 } });
      await c.updateMany({}, { $push: { 'sub.a': 9 } } as Document);
      // The cursor's first batch was read before the updates.
      expect(first).toEqual({ _id: 0, v: 0, sub: { a: [0] } });
      expect(await cursor.next()).toEqual({ _id: 1, v: 0, sub: { a: [1] } });
      await cursor.close();
      await cl.close();
      await s.stop();
      const again = await startTestDb({ dataDir: tmp.dir });
      const cl2 = await MongoClient.connect(again.uri);
      expect(
        await cl2.db('t').collection('c').find({}).sort({ _id: 1 }).toArray(),
      ).toEqual(
        Array.from({ length: 5 }, (_, i) => ({
          _id: i,
          v: 1,
          sub: { a: [i, 9] },
        })),
      );
      await cl2.close();
      await again.stop();
    } finally {
      tmp.remove();
    }
  });
});
