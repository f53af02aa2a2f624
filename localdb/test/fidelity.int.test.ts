import {
  Binary,
  Long,
  MongoClient,
  ObjectId,
  type Db,
  type Document,
} from 'mongodb';
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { codeOf, startTestDb } from './startTestDb.js';

describe('localdb follows MongoDB where mingo differs', () => {
  let server: LocalDb;
  let client: MongoClient;
  let db: Db;
  let n = 0;
  /** A fresh collection per test (any `_id` type). */
  const fresh = () =>
    db.collection<{ _id?: string | number; [key: string]: unknown }>(
      `c${(n += 1)}`,
    );

  beforeAll(async () => {
    server = await startTestDb();
    client = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    db = client.db('fidelity');
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it("$type knows 'long', 'objectId', 'binData', and tells 'double' from 'int'", async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 'int', v: 5 },
      { _id: 'double', v: 5.5 },
      { _id: 'long', v: Long.fromString('9007199254740993') },
      { _id: 'oid', v: new ObjectId() },
      { _id: 'bin', v: new Binary(Buffer.from('ab')) },
    ]);
    const ids = async (t: unknown) =>
      (await c.find({ v: { $type: t as 'int' } }).toArray()).map((d) => d._id);
    expect(await ids('long')).toEqual(['long']);
    expect(await ids('objectId')).toEqual(['oid']);
    expect(await ids('binData')).toEqual(['bin']);
    expect(await ids('double')).toEqual(['double']);
    expect(await ids('int')).toEqual(['int']);
    expect(await ids(18)).toEqual(['long']);
    expect(
      await codeOf(c.find({ v: { $type: 'nope' as 'int' } }).toArray()),
    ).toBe(2);
  });

  it('a top-level $set gives each document its own copy, keeps field order and still refuses changing _id', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, a: 1, b: 1 },
      { _id: 2, a: 2, b: 2 },
    ]);
    const set = { a: { v: [1, 2] }, c: new Date(0), d: 'x' };
    await c.updateMany({}, { $set: set });
    await c.updateOne({ _id: 1 }, { $set: { 'a.v.0': 9 } });
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, a: { v: [9, 2] }, b: 1, c: new Date(0), d: 'x' },
      { _id: 2, a: { v: [1, 2] }, b: 2, c: new Date(0), d: 'x' },
    ]);
    expect(Object.keys((await c.findOne({ _id: 2 })) ?? {})).toEqual([
      '_id',
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(await codeOf(c.updateOne({ _id: 2 }, { $set: { _id: 3 } }))).toBe(
      66,
    );
    const upserted = await c.updateOne(
      { _id: 4, k: 'seed' },
      { $set: { x: 1 }, $setOnInsert: { y: { z: 2 } } },
      { upsert: true },
    );
    expect(upserted.upsertedId).toBe(4);
    expect(await c.findOne({ _id: 4 })).toEqual({
      _id: 4,
      k: 'seed',
      x: 1,
      y: { z: 2 },
    });
  });

  it('$pull with an $or condition removes the matching elements', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, kids: [{ a: 1 }, { a: 2 }, { a: 3 }] });
    await c.updateOne({ _id: 1 }, {
      $pull: { kids: { $or: [{ a: 1 }, { a: 3 }] } },
    } as Document);
    expect((await c.findOne({ _id: 1 }))?.['kids']).toEqual([{ a: 2 }]);
  });

  it('a $slice projection keeps the other fields', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: [1, 2, 3, 4], b: 'kept' });
    expect(
      await c.findOne({ _id: 1 }, { projection: { a: { $slice: -2 } } }),
    ).toEqual({ _id: 1, a: [3, 4], b: 'kept' });
  });

  it('$all on a non-array field matches a field equal to the value', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, tag: 'tram' },
      { _id: 2, tag: ['tram', 'bus'] },
      { _id: 3, tag: 'bus' },
    ]);
    const found = await c
      .find({ tag: { $all: ['tram'] } })
      .sort({ _id: 1 })
      .toArray();
    expect(found.map((d) => d._id)).toEqual([1, 2]);
  });

  it('refuses $set through an array or scalar (28), $inc on a string (14), $push on a non-array (2), changing nothing', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, arr: [{ a: 1 }], n: 5, s: 'x' });
    expect(
      await codeOf(c.updateOne({ _id: 1 }, { $set: { 'arr.x': 1 } })),
    ).toBe(28);
    expect(await codeOf(c.updateOne({ _id: 1 }, { $set: { 'n.x': 1 } }))).toBe(
      28,
    );
    expect(
      await codeOf(c.updateOne({ _id: 1 }, { $inc: { s: 1 } } as Document)),
    ).toBe(14);
    expect(
      await codeOf(c.updateOne({ _id: 1 }, { $push: { n: 1 } } as Document)),
    ).toBe(2);
    expect(await c.findOne({ _id: 1 })).toEqual({
      _id: 1,
      arr: [{ a: 1 }],
      n: 5,
      s: 'x',
    });
  });

  it('compares BinData by length, subtype, then bytes, and $bitsAllSet reads BinData', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 'short', b: new Binary(Buffer.from([0xff])) },
      { _id: 'long', b: new Binary(Buffer.from([0x01, 0x00])) },
      { _id: 'num', b: 5 },
    ]);
    const gt = await c
      .find({ b: { $gt: new Binary(Buffer.from([0xfe])) } })
      .sort({ _id: 1 })
      .toArray();
    expect(gt.map((d) => d._id)).toEqual(['long', 'short']);
    const bits = await c
      .find({ b: { $bitsAllSet: [0, 2] } })
      .sort({ _id: 1 })
      .toArray();
    expect(bits.map((d) => d._id)).toEqual(['num', 'short']);
    const mask = await c
      .find({ b: { $bitsAllSet: new Binary(Buffer.from([0x05])) } })
      .sort({ _id: 1 })
      .toArray();
    expect(mask.map((d) => d._id)).toEqual(['num', 'short']);
  });

  it('an inclusion projection puts _id first, then the stored field order', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: 1, b: 2, c: 3 });
    const doc = await c.findOne({}, { projection: { c: 1, a: 1 } });
    expect(Object.keys(doc ?? {})).toEqual(['_id', 'a', 'c']);
  });

  it('honours the let option of find and aggregate', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, zone: 'north' },
      { _id: 2, zone: 'south' },
    ]);
    const found = await c
      .find(
        { $expr: { $eq: ['$zone', '$$wanted'] } },
        { let: { wanted: 'south' } },
      )
      .toArray();
    expect(found.map((d) => d._id)).toEqual([2]);
    const rows = await c
      .aggregate(
        [
          { $match: { $expr: { $eq: ['$zone', '$$wanted'] } } },
          { $project: { label: { $concat: ['$zone', '$$suffix'] } } },
        ],
        { let: { wanted: 'north', suffix: '!' } },
      )
      .toArray();
    expect(rows).toEqual([{ _id: 1, label: 'north!' }]);
  });

  it('accepts two sub-fields of the same array element in one update', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, kids: [{ n: 1 }, { n: 2 }] });
    await c.updateOne(
      { _id: 1, 'kids.n': 2 },
      { $set: { 'kids.$.a': 1, 'kids.$.b': 2 } },
    );
    expect((await c.findOne({ _id: 1 }))?.['kids']).toEqual([
      { n: 1 },
      { n: 2, a: 1, b: 2 },
    ]);
    // A path inside another is still a conflict, with MongoDB's code.
    expect(
      await codeOf(
        c.updateOne({ _id: 1 }, { $set: { kids: [], 'kids.0': 1 } }),
      ),
    ).toBe(40);
  });

  it('accepts $set of _id to its unchanged value, refuses a change (66)', async () => {
    const c = fresh();
    await c.insertOne({ _id: 7, a: 1 });
    const r = await c.updateOne({ _id: 7 }, { $set: { _id: 7, a: 2 } });
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 7 })).toEqual({ _id: 7, a: 2 });
    expect(await codeOf(c.updateOne({ _id: 7 }, { $set: { _id: 8 } }))).toBe(
      66,
    );
  });

  it('$elemMatch with $in and $gte inside', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, v: [1, 7], r: [{ k: 'a', x: 3 }] },
      { _id: 2, v: [2, 3], r: [{ k: 'b', x: 9 }] },
    ]);
    const inside = async (filter: Document) =>
      (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await inside({ v: { $elemMatch: { $gte: 5, $lt: 10 } } })).toEqual([
      1,
    ]);
    expect(await inside({ v: { $elemMatch: { $in: [3, 9] } } })).toEqual([2]);
    expect(
      await inside({
        r: { $elemMatch: { k: { $in: ['b'] }, x: { $gte: 5 } } },
      }),
    ).toEqual([2]);
  });

  it('$text needs a text index (27) and with one matches words, phrases and negations', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, title: 'Fermeture du tunnel Prado-Carénage' },
      { _id: 2, title: 'Marché aux poissons du Vieux-Port' },
      { _id: 3, title: 'Travaux sur le tunnel du Vieux-Port' },
    ]);
    expect(
      await codeOf(c.find({ $text: { $search: 'tunnel' } }).toArray()),
    ).toBe(27);
    await c.createIndex({ title: 'text' });
    const ids = async (search: string) =>
      (
        await c
          .find({ $text: { $search: search } })
          .sort({ _id: 1 })
          .toArray()
      ).map((d) => d._id);
    expect(await ids('tunnel')).toEqual([1, 3]);
    expect(await ids('carenage marche')).toEqual([1, 2]);
    expect(await ids('tunnel -travaux')).toEqual([1]);
    expect(await ids('"vieux port" tunnel')).toEqual([2, 3]);
  });

  it('collMod changes a TTL, hides an index from the planner, records a validator; refuses the rest', async () => {
    const c = fresh();
    await c.insertOne({ at: new Date(), k: 1 });
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    await c.createIndex({ k: 1 });
    const r = await db.command({
      collMod: c.collectionName,
      index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 },
    });
    expect(r).toMatchObject({
      expireAfterSeconds_old: 3600,
      expireAfterSeconds_new: 60,
      ok: 1,
    });
    await db.command({
      collMod: c.collectionName,
      index: { name: 'k_1', hidden: true },
    });
    const indexes = await c.listIndexes().toArray();
    expect(
      indexes.find((i) => i['name'] === 'at_1')?.['expireAfterSeconds'],
    ).toBe(60);
    expect(indexes.find((i) => i['name'] === 'k_1')?.['hidden']).toBe(true);
    const plan = await c.find({ k: 1 }).explain();
    expect(plan['queryPlanner']['winningPlan']['stage']).toBe('COLLSCAN');
    await db.command({
      collMod: c.collectionName,
      validator: { k: { $type: 'int' } },
    });
    const [info] = await db
      .listCollections({ name: c.collectionName })
      .toArray();
    expect((info as Document | undefined)?.['options']).toMatchObject({
      validator: { k: { $type: 'int' } },
    });
    expect(
      await codeOf(
        db.command({
          collMod: c.collectionName,
          changeStreamPreAndPostImages: { enabled: true },
        }),
      ),
    ).toBe(238);
    expect(
      await codeOf(db.command({ collMod: 'missing', validator: {} })),
    ).toBe(26);
  });
});

describe('localdb collation (French, strength 1 and 2)', () => {
  let server: LocalDb;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    server = await startTestDb();
    client = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    db = client.db('collation');
    await db.collection<{ _id: number; name: string }>('streets').insertMany([
      { _id: 1, name: 'Canebière' },
      { _id: 2, name: 'canebiere' },
      { _id: 3, name: 'Cours Julien' },
      { _id: 4, name: 'Élysée' },
      { _id: 5, name: 'elysee' },
      { _id: 6, name: 'Endoume' },
    ]);
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  const ids = (docs: Document[]) => docs.map((d) => d['_id'] as number);

  it('strength 1 ignores case and accents, strength 2 only case, simple neither', async () => {
    const streets = db.collection('streets');
    const find = (collation?: Document) =>
      streets
        .find(
          { name: 'canebiere' },
          collation ? { collation: collation as never } : {},
        )
        .sort({ _id: 1 })
        .toArray();
    expect(ids(await find({ locale: 'fr', strength: 1 }))).toEqual([1, 2]);
    expect(ids(await find({ locale: 'fr', strength: 2 }))).toEqual([2]);
    expect(ids(await find())).toEqual([2]);
    const strength2 = await streets
      .find({ name: 'ELYSEE' }, { collation: { locale: 'fr', strength: 2 } })
      .toArray();
    expect(ids(strength2)).toEqual([5]);
    expect(
      await streets.countDocuments(
        { name: { $in: ['ELYSEE'] } },
        { collation: { locale: 'fr', strength: 1 } },
      ),
    ).toBe(2);
  });

  it('sorts by the collation: accented letters beside their base letter', async () => {
    const sorted = await db
      .collection('streets')
      .find({}, { collation: { locale: 'fr', strength: 1 } })
      .sort({ name: 1, _id: 1 })
      .toArray();
    expect(sorted.map((d) => d['name'])).toEqual([
      'Canebière',
      'canebiere',
      'Cours Julien',
      'Élysée',
      'elysee',
      'Endoume',
    ]);
  });

  it('an index with a collation enforces uniqueness under it and serves queries with the same collation', async () => {
    const c = db.collection('places');
    await c.createIndex(
      { name: 1 },
      { unique: true, collation: { locale: 'fr', strength: 1 } },
    );
    await c.insertOne({ name: 'Élodie' });
    expect(await codeOf(c.insertOne({ name: 'elodie' }))).toBe(11000);
    const withIt = await c
      .find({ name: 'ELODIE' }, { collation: { locale: 'fr', strength: 1 } })
      .explain();
    expect(
      withIt['queryPlanner']['winningPlan']['inputStage']['indexName'],
    ).toBe('name_1');
    expect(
      await c.countDocuments(
        { name: 'ELODIE' },
        { collation: { locale: 'fr', strength: 1 } },
      ),
    ).toBe(1);
    // Without the collation the index's order does not apply: a scan, binary equality.
    const without = await c.find({ name: 'ELODIE' }).explain();
    expect(without['queryPlanner']['winningPlan']['stage']).toBe('COLLSCAN');
    expect(await c.countDocuments({ name: 'ELODIE' })).toBe(0);
  });

  it('refuses what it cannot honour with code 238, and a bad collation with MongoDB codes', async () => {
    const streets = db.collection('streets');
    expect(
      await codeOf(
        streets
          .find({}, { collation: { locale: 'fr', strength: 4 } })
          .toArray(),
      ),
    ).toBe(238);
    expect(
      await codeOf(
        streets
          .find({}, { collation: { locale: 'fr', backwards: true } })
          .toArray(),
      ),
    ).toBe(238);
    expect(
      await codeOf(
        streets.find({}, { collation: { strength: 1 } as never }).toArray(),
      ),
    ).toBe(40414);
  });

  it('works through mongoose Query#collation', async () => {
    const conn: Connection = await mongoose
      .createConnection(server.uri, {
        dbName: 'collation',
        serverSelectionTimeoutMS: 5000,
      })
      .asPromise();
    try {
      const Street = conn.model(
        'Street',
        new Schema({ _id: Number, name: String }),
        'streets',
      );
      const found = await Street.find({ name: 'ELYSÉE' })
        .collation({ locale: 'fr', strength: 1 })
        .sort({ _id: 1 })
        .lean();
      expect(found.map((d) => d._id)).toEqual([4, 5]);
    } finally {
      await conn.close();
    }
  });
});
