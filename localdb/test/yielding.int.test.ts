import { MongoClient, type Collection, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { startTestDb } from './startTestDb.js';

const DOCS = 40_000;

describe('localdb long reads yield to other connections', () => {
  let server: LocalDb;
  let slow: MongoClient;
  let quick: MongoClient;
  let coll: Collection<Document>;
  let probeId: unknown;

  beforeAll(async () => {
    server = await startTestDb();
    slow = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    quick = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    coll = slow.db('hol').collection('readings');
    for (let start = 0; start < DOCS; start += 10_000)
      await coll.insertMany(
        Array.from({ length: 10_000 }, (_, j) => ({
          n: start + j,
          sensor: `s${(start + j) % 97}`,
          value: (start + j) % 13,
        })),
      );
    probeId = (await coll.findOne({ n: 12_345 }))?._id;
  });

  afterAll(async () => {
    await slow.close();
    await quick.close();
    await server.stop();
  });

  it('answers point reads from another connection while an aggregation over every document runs', async () => {
    const events: string[] = [];
    const aggregation = coll
      .aggregate([
        { $match: { value: { $gte: 0 } } },
        { $addFields: { double: { $multiply: ['$value', 2] } } },
        {
          $group: {
            _id: '$sensor',
            total: { $sum: '$double' },
            mean: { $avg: '$value' },
            n: { $count: {} },
          },
        },
        { $sort: { _id: 1 } },
      ])
      .toArray()
      .then((rows) => {
        events.push('aggregation');
        return rows;
      });
    const other = quick.db('hol').collection('readings');
    for (let i = 0; i < 5; i += 1) {
      const doc = await other.findOne({ _id: probeId as never });
      expect(doc?.['n']).toBe(12_345);
      events.push(`findOne ${i}`);
    }
    const rows = await aggregation;
    // Every point read was answered before the aggregation finished.
    expect(events).toEqual([
      'findOne 0',
      'findOne 1',
      'findOne 2',
      'findOne 3',
      'findOne 4',
      'aggregation',
    ]);
    // And the sliced aggregation gives what one pass would: per sensor, n, sum and mean.
    expect(rows).toHaveLength(97);
    const s0 = rows.find((r) => r['_id'] === 's0');
    const mine = Array.from({ length: DOCS }, (_, n) => n).filter(
      (n) => n % 97 === 0,
    );
    expect(s0?.['n']).toBe(mine.length);
    expect(s0?.['total']).toBe(mine.reduce((a, n) => a + (n % 13) * 2, 0));
    expect(s0?.['mean']).toBeCloseTo(
      mine.reduce((a, n) => a + (n % 13), 0) / mine.length,
      10,
    );
  });

  it('answers point reads while a long find scans, and the scan sees a consistent order across writes', async () => {
    const events: string[] = [];
    await coll.createIndex({ n: 1 });
    const scan = coll
      .find({ value: { $lt: 13 } })
      .sort({ n: 1 })
      .batchSize(DOCS + 100)
      .toArray()
      .then((docs) => {
        events.push('scan');
        return docs;
      });
    const other = quick.db('hol').collection('readings');
    for (let i = 0; i < 5; i += 1) {
      // Writes land in the middle of the paused scan: new keys past the end, one removal.
      await other.insertOne({ n: DOCS + i, sensor: 'late', value: 1 });
      events.push(`write ${i}`);
    }
    await other.deleteOne({ n: 5 });
    const docs = await scan;
    // Every write was answered while the scan was still going.
    expect(events.indexOf('scan')).toBe(5);
    const ns = docs.map((d) => d['n'] as number);
    for (let i = 1; i < ns.length; i += 1)
      expect(ns[i] as number).toBeGreaterThan(ns[i - 1] as number);
    expect(ns.length).toBeGreaterThanOrEqual(DOCS - 1);
  });
});
