import {
  Binary,
  Decimal128,
  Long,
  MongoClient,
  MongoServerError,
  ObjectId,
  type Db,
} from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { startTestDb } from './startTestDb.js';

/** Test documents with any `_id` type (the driver's default types assume ObjectId). */
type Loose = {
  _id?: number | string | ObjectId | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test documents of every shape; the driver types need `any` here
  [key: string]: any;
};

describe('localdb through the mongodb driver', () => {
  let server: LocalDb;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    server = await startTestDb();
    client = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    db = client.db('driver');
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('answers ping and presents itself as a standalone', async () => {
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const hello = await db.admin().command({ hello: 1 });
    expect(hello).toMatchObject({ isWritablePrimary: true, ok: 1 });
    expect(hello['setName']).toBeUndefined();
    expect((await db.admin().buildInfo())['version']).toMatch(/^7\./);
  });

  it('round-trips ObjectId, Date, Decimal128, Long, Binary, nested documents and arrays', async () => {
    const doc = {
      _id: new ObjectId(),
      at: new Date('2024-05-01T10:00:00.123Z'),
      price: Decimal128.fromString('12.3450'),
      big: Long.fromString('9223372036854775807'),
      bytes: new Binary(Buffer.from([0, 1, 2, 255]), 0),
      nested: { a: [1, { b: 'x' }, [2, 3]], empty: {} },
      list: ['a', null, true, 1.5],
    };
    await db.collection<Loose>('types').insertOne(doc);
    const back = await db
      .collection('types')
      .findOne({ _id: doc._id }, { promoteLongs: false });
    expect(back).not.toBeNull();
    expect(back!['at']).toEqual(doc.at);
    expect(back!['price'].toString()).toBe('12.3450');
    expect(back!['big'].toString()).toBe('9223372036854775807');
    expect(Buffer.from(back!['bytes'].buffer)).toEqual(
      Buffer.from([0, 1, 2, 255]),
    );
    expect(back!['nested']).toEqual(doc.nested);
    expect(back!['list']).toEqual(doc.list);
  });

  it('finds with filter, sort, projection, skip and limit', async () => {
    const coll = db.collection<Loose>('people');
    await coll.insertMany(
      Array.from({ length: 20 }, (_, i) => ({
        name: `p${i}`,
        age: i,
        city: i % 2 === 0 ? 'Marseille' : 'Aix',
      })),
    );
    const found = await coll
      .find(
        { city: 'Marseille', age: { $gte: 4 } },
        { projection: { _id: 0, name: 1 } },
      )
      .sort({ age: -1 })
      .skip(1)
      .limit(3)
      .toArray();
    expect(found).toEqual([{ name: 'p16' }, { name: 'p14' }, { name: 'p12' }]);
  });

  it('returns cursors over several batches with int64 ids, getMore and killCursors', async () => {
    const coll = db.collection<Loose>('many');
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const all = await coll.find({}, { batchSize: 30 }).sort({ i: 1 }).toArray();
    expect(all.map((d) => d['i'])).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    );
    const cursor = coll.find({}, { batchSize: 10 });
    await cursor.next();
    expect(cursor.id).toBeInstanceOf(Long);
    expect(cursor.id?.isZero()).toBe(false);
    await cursor.close();
    const agg = await coll
      .aggregate([{ $match: { i: { $lt: 120 } } }], { batchSize: 50 })
      .toArray();
    expect(agg).toHaveLength(120);
  });

  it('runs bulkWrite with inserts, updates, replaces and deletes', async () => {
    const coll = db.collection<Loose>('bulk');
    const result = await coll.bulkWrite([
      { insertOne: { document: { _id: 1, v: 1 } } },
      { insertOne: { document: { _id: 2, v: 2 } } },
      { updateOne: { filter: { _id: 1 }, update: { $inc: { v: 10 } } } },
      { updateMany: { filter: {}, update: { $set: { seen: true } } } },
      { replaceOne: { filter: { _id: 2 }, replacement: { v: 20 } } },
      {
        updateOne: {
          filter: { _id: 3 },
          update: { $set: { v: 3 } },
          upsert: true,
        },
      },
      { deleteOne: { filter: { _id: 1 } } },
    ]);
    expect(result.insertedCount).toBe(2);
    expect(result.matchedCount).toBe(4);
    expect(result.modifiedCount).toBe(4);
    expect(result.upsertedCount).toBe(1);
    expect(result.deletedCount).toBe(1);
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 2, v: 20 },
      { _id: 3, v: 3 },
    ]);
  });

  it('counts a no-op update as matched but not modified', async () => {
    const coll = db.collection<Loose>('noop');
    await coll.insertOne({ _id: 'x', v: 1 });
    const r = await coll.updateOne({ _id: 'x' }, { $set: { v: 1 } });
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(0);
  });

  it('applies positional, arrayFilters, $setOnInsert and pipeline updates', async () => {
    const coll = db.collection<Loose>('updates');
    await coll.insertOne({
      _id: 1,
      grades: [80, 95, 60],
      items: [{ q: 1 }, { q: 5 }],
    });
    await coll.updateOne({ _id: 1, grades: 95 }, { $set: { 'grades.$': 96 } });
    await coll.updateOne(
      { _id: 1 },
      { $inc: { 'items.$[big].q': 100 } },
      { arrayFilters: [{ 'big.q': { $gt: 2 } }] },
    );
    await coll.updateOne(
      { _id: 1 },
      { $set: { a: 1 }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    await coll.updateOne({ _id: 1 }, [
      { $set: { total: { $sum: '$grades' } } },
    ]);
    expect(await coll.findOne({ _id: 1 })).toEqual({
      _id: 1,
      grades: [80, 96, 60],
      items: [{ q: 1 }, { q: 105 }],
      a: 1,
      total: 236,
    });
    await coll.updateOne(
      { _id: 2, kind: 'k' },
      { $set: { a: 1 }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    expect(await coll.findOne({ _id: 2 })).toEqual({
      _id: 2,
      kind: 'k',
      a: 1,
      created: true,
    });
  });

  it('refuses to change _id with ImmutableField', async () => {
    const coll = db.collection<Loose>('immutable');
    await coll.insertOne({ _id: 1 });
    await expect(
      coll.updateOne({ _id: 1 }, { $set: { _id: 2 } }),
    ).rejects.toMatchObject({ code: 66 });
  });

  it('findOneAndUpdate with upsert, returnDocument, sort and projection', async () => {
    const coll = db.collection<Loose>('fam');
    const created = await coll.findOneAndUpdate(
      { key: 'counter' },
      { $inc: { n: 1 } },
      { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
    );
    expect(created).toEqual({ key: 'counter', n: 1 });
    const before = await coll.findOneAndUpdate(
      { key: 'counter' },
      { $inc: { n: 1 } },
      { returnDocument: 'before' },
    );
    expect(before?.['n']).toBe(1);
    await coll.insertMany([
      { key: 's', o: 2 },
      { key: 's', o: 1 },
    ]);
    const first = await coll.findOneAndDelete({ key: 's' }, { sort: { o: 1 } });
    expect(first?.['o']).toBe(1);
    const replaced = await coll.findOneAndReplace(
      { key: 's' },
      { key: 's', o: 9 },
      { returnDocument: 'after' },
    );
    expect(replaced?.['o']).toBe(9);
  });

  it('aggregates with $lookup, $unwind, $group, $sort, $facet, $bucket and $count', async () => {
    await db.collection<Loose>('stops').insertMany([
      { _id: 's1', name: 'Vieux-Port', line: 'M1' },
      { _id: 's2', name: 'Castellane', line: 'M1' },
      { _id: 's3', name: 'Noailles', line: 'M2' },
    ]);
    await db.collection<Loose>('rides').insertMany([
      { stop: 's1', riders: 10 },
      { stop: 's1', riders: 5 },
      { stop: 's2', riders: 7 },
      { stop: 's3', riders: 1 },
    ]);
    const perLine = await db
      .collection('rides')
      .aggregate([
        {
          $lookup: {
            from: 'stops',
            localField: 'stop',
            foreignField: '_id',
            as: 'stop',
          },
        },
        { $unwind: '$stop' },
        {
          $group: {
            _id: '$stop.line',
            riders: { $sum: '$riders' },
            rides: { $count: {} },
          },
        },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(perLine).toEqual([
      { _id: 'M1', riders: 22, rides: 3 },
      { _id: 'M2', riders: 1, rides: 1 },
    ]);
    const [facets] = await db
      .collection('rides')
      .aggregate([
        {
          $facet: {
            total: [{ $count: 'n' }],
            buckets: [
              {
                $bucket: {
                  groupBy: '$riders',
                  boundaries: [0, 5, 100],
                  default: 'other',
                },
              },
            ],
          },
        },
      ])
      .toArray();
    expect(facets).toEqual({
      total: [{ n: 4 }],
      buckets: [
        { _id: 0, count: 1 },
        { _id: 5, count: 3 },
      ],
    });
    // $lookup must not alter the stored documents it joined.
    expect(await db.collection<Loose>('stops').countDocuments()).toBe(3);
    expect(await db.collection<Loose>('stops').findOne({ _id: 's1' })).toEqual({
      _id: 's1',
      name: 'Vieux-Port',
      line: 'M1',
    });
  });

  it('answers countDocuments, estimatedDocumentCount and distinct', async () => {
    const coll = db.collection<Loose>('counts');
    await coll.insertMany([{ t: ['a', 'b'] }, { t: ['b', 'c'] }, { t: 'd' }]);
    expect(await coll.countDocuments({ t: 'b' })).toBe(2);
    expect(await coll.countDocuments({}, { skip: 1, limit: 1 })).toBe(1);
    expect(await coll.estimatedDocumentCount()).toBe(3);
    expect((await coll.distinct('t')).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('raises E11000 with keyPattern and keyValue on insert, update and upsert', async () => {
    const coll = db.collection<Loose>('unique');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ email: 'a@x.fr' });
    await coll.insertOne({ email: 'b@x.fr' });
    const onInsert = await coll
      .insertOne({ email: 'a@x.fr' })
      .catch((e: unknown) => e);
    expect(onInsert).toBeInstanceOf(MongoServerError);
    expect(onInsert).toMatchObject({
      code: 11000,
      keyPattern: { email: 1 },
      keyValue: { email: 'a@x.fr' },
    });
    expect((onInsert as Error).message).toMatch(
      /^E11000 duplicate key error collection: driver\.unique index: email_1 dup key: \{ email: "a@x\.fr" \}/,
    );
    await expect(
      coll.updateOne({ email: 'b@x.fr' }, { $set: { email: 'a@x.fr' } }),
    ).rejects.toMatchObject({ code: 11000 });
    await expect(
      coll.updateOne(
        { email: 'c@x.fr', n: 1 },
        { $set: { email: 'a@x.fr' } },
        { upsert: true },
      ),
    ).rejects.toMatchObject({
      code: 11000,
    });
    const dupId = await coll
      .insertOne({ _id: (await coll.findOne({ email: 'a@x.fr' }))!._id })
      .catch((e: unknown) => e);
    expect(dupId).toMatchObject({ code: 11000, keyPattern: { _id: 1 } });
    expect(await coll.countDocuments()).toBe(2);
  });

  it('continues an unordered insertMany past duplicates and stops an ordered one', async () => {
    const coll = db.collection<Loose>('ordered');
    const unordered = await coll
      .insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }], { ordered: false })
      .catch((e: unknown) => e);
    expect(unordered).toMatchObject({ code: 11000 });
    expect(await coll.countDocuments()).toBe(2);
    await coll
      .insertMany([{ _id: 3 }, { _id: 3 }, { _id: 4 }])
      .catch(() => undefined);
    expect(await coll.countDocuments()).toBe(3);
  });

  it('refuses a unique index over existing duplicates', async () => {
    const coll = db.collection<Loose>('lateunique');
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(
      coll.createIndex({ k: 1 }, { unique: true }),
    ).rejects.toMatchObject({ code: 11000 });
    expect((await coll.listIndexes().toArray()).map((i) => i['name'])).toEqual([
      '_id_',
    ]);
  });

  it('creates, lists and drops indexes, recording TTL and 2dsphere specs', async () => {
    const coll = db.collection<Loose>('idx');
    await coll.createIndexes([
      { key: { a: 1, b: -1 } },
      { key: { at: 1 }, expireAfterSeconds: 60 },
      { key: { loc: '2dsphere' } },
    ]);
    const names = (await coll.listIndexes().toArray()).map((i) => i['name']);
    expect(names).toEqual(['_id_', 'a_1_b_-1', 'at_1', 'loc_2dsphere']);
    expect(await coll.indexExists('at_1')).toBe(true);
    await coll.dropIndex('a_1_b_-1');
    await coll.dropIndexes();
    expect((await coll.listIndexes().toArray()).map((i) => i['name'])).toEqual([
      '_id_',
    ]);
  });

  it('lists, creates and drops collections and databases', async () => {
    const other = client.db('scratch');
    await other.createCollection('a');
    await expect(other.createCollection('a')).rejects.toMatchObject({
      code: 48,
    });
    await other.collection<Loose>('b').insertOne({ x: 1 });
    expect(
      (await other.listCollections().toArray()).map((c) => c.name).sort(),
    ).toEqual(['a', 'b']);
    const dbs = await client.db().admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain('scratch');
    expect(await other.collection<Loose>('a').drop()).toBe(true);
    await other.dropDatabase();
    expect(await other.listCollections().toArray()).toEqual([]);
  });

  it('answers an unknown command with CommandNotFound', async () => {
    const err = await db.command({ frobnicate: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('refuses transactions with IllegalOperation, as a standalone does', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      const err = await db
        .collection('txn')
        .insertOne({ a: 1 }, { session })
        .catch((e: unknown) => e);
      // The driver wraps code 20 in its retryable-writes hint, exactly as against a real standalone.
      const original =
        (err as { originalError?: unknown }).originalError ?? err;
      expect(original).toMatchObject({
        code: 20,
        codeName: 'IllegalOperation',
      });
      expect((original as Error).message).toBe(
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect(await db.collection<Loose>('txn').countDocuments()).toBe(0);
  });

  it('uses the unique index for equality lookups, including $in', async () => {
    const coll = db.collection<Loose>('lookup');
    await coll.createIndex({ code: 1 }, { unique: true });
    await coll.insertMany(
      Array.from({ length: 1000 }, (_, i) => ({ code: `c${i}`, n: i })),
    );
    expect(await coll.findOne({ code: 'c500' })).toMatchObject({ n: 500 });
    expect(
      (await coll.find({ code: { $in: ['c1', 'c999', 'nope'] } }).toArray())
        .map((d) => d['n'])
        .sort(),
    ).toEqual([1, 999]);
    await coll.updateOne({ code: 'c500' }, { $set: { code: 'moved' } });
    expect(await coll.findOne({ code: 'c500' })).toBeNull();
    expect(await coll.findOne({ code: 'moved' })).toMatchObject({ n: 500 });
    await coll.deleteOne({ code: 'moved' });
    expect(await coll.findOne({ code: 'moved' })).toBeNull();
  });
});
