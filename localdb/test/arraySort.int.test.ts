import { MongoClient, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { startTestDb } from './startTestDb.js';

// MongoDB sorts an array field by its smallest element ascending and its largest
// descending; an empty array sorts before null/missing ascending, after them descending.
// See https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/#arrays
describe('localdb sorts array fields as MongoDB does', () => {
  let server: LocalDb;
  let client: MongoClient;
  let db: Db;
  let n = 0;
  const fresh = async (docs: Document[]) => {
    const c = db.collection<Document>(`s${(n += 1)}`);
    await c.insertMany(docs);
    return c;
  };
  const ids = (docs: Document[]) => docs.map((d) => d['_id'] as unknown);

  const arrays = [
    { _id: 1, a: [1, 10] },
    { _id: 2, a: 5 },
    { _id: 3, a: [3, 4] },
    { _id: 4, a: [] },
    { _id: 5 },
    { _id: 6, a: null },
  ];
  const nested = [
    { _id: 1, a: [{ b: 1 }, { b: 10 }] },
    { _id: 2, a: { b: 5 } },
    { _id: 3, a: [{ b: [3, 4] }, { c: 1 }] },
    { _id: 4, a: [{ b: 2 }, { b: 7 }] },
    { _id: 5, a: [{ b: [] }] },
  ];

  beforeAll(async () => {
    server = await startTestDb();
    client = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    db = client.db('arraysort');
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('find sorts ascending by the smallest element, empty arrays first', async () => {
    const c = await fresh(arrays);
    expect(ids(await c.find().sort({ a: 1 }).toArray())).toEqual([
      4, 5, 6, 1, 3, 2,
    ]);
  });

  it('find sorts descending by the largest element, empty arrays last', async () => {
    const c = await fresh(arrays);
    expect(ids(await c.find().sort({ a: -1 }).toArray())).toEqual([
      1, 2, 3, 5, 6, 4,
    ]);
  });

  it('find with a limit keeps the first documents of that order', async () => {
    const c = await fresh(arrays);
    expect(ids(await c.find().sort({ a: -1 }).limit(2).toArray())).toEqual([
      1, 2,
    ]);
    expect(
      ids(await c.find().sort({ a: 1 }).skip(1).limit(2).toArray()),
    ).toEqual([5, 6]);
  });

  it('aggregate $sort follows the same rules, with $limit', async () => {
    const c = await fresh(arrays);
    expect(ids(await c.aggregate([{ $sort: { a: -1 } }]).toArray())).toEqual([
      1, 2, 3, 5, 6, 4,
    ]);
    expect(ids(await c.aggregate([{ $sort: { a: 1 } }]).toArray())).toEqual([
      4, 5, 6, 1, 3, 2,
    ]);
    expect(
      ids(await c.aggregate([{ $sort: { a: -1 } }, { $limit: 3 }]).toArray()),
    ).toEqual([1, 2, 3]);
  });

  it('a dotted path through arrays of subdocuments takes every value it reaches', async () => {
    const c = await fresh(nested);
    // Keys ascending: [] (before null), null (the element without b), 1, 2, 5.
    expect(ids(await c.find().sort({ 'a.b': 1 }).toArray())).toEqual([
      5, 3, 1, 4, 2,
    ]);
    // Keys descending: 10, 7, 5, 4, then [] (after null).
    expect(ids(await c.find().sort({ 'a.b': -1 }).toArray())).toEqual([
      1, 4, 2, 3, 5,
    ]);
    expect(
      ids(
        await c.aggregate([{ $sort: { 'a.b': -1 } }, { $limit: 2 }]).toArray(),
      ),
    ).toEqual([1, 4]);
    expect(ids(await c.aggregate([{ $sort: { 'a.b': 1 } }]).toArray())).toEqual(
      [5, 3, 1, 4, 2],
    );
  });

  it('ties keep insertion order, and a second key breaks them', async () => {
    const c = await fresh([
      { _id: 1, a: [2, 9], t: 1 },
      { _id: 2, a: 9, t: 2 },
      { _id: 3, a: [9], t: 0 },
      { _id: 4, a: 2, t: 0 },
    ]);
    expect(ids(await c.find().sort({ a: -1 }).toArray())).toEqual([1, 2, 3, 4]);
    expect(ids(await c.find().sort({ a: -1, t: 1 }).toArray())).toEqual([
      3, 1, 2, 4,
    ]);
    expect(
      ids(await c.aggregate([{ $sort: { a: 1, t: -1 } }]).toArray()),
    ).toEqual([1, 4, 2, 3]);
  });

  it('string elements compare under the collation', async () => {
    const c = await fresh([
      { _id: 1, a: ['b', 'Z'] },
      { _id: 2, a: ['a', 'c'] },
    ]);
    const collation = { locale: 'en', strength: 1 };
    expect(
      ids(await c.find({}, { collation }).sort({ a: -1 }).toArray()),
    ).toEqual([1, 2]);
    expect(
      ids(await c.aggregate([{ $sort: { a: -1 } }], { collation }).toArray()),
    ).toEqual([1, 2]);
    // Simple (binary) comparison: 'c' is above 'Z'.
    expect(ids(await c.find().sort({ a: -1 }).toArray())).toEqual([2, 1]);
  });
});
