import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { Store } from '../src/storage/Store.js';
import { silentLogger } from '../src/index.js';
import { makeTempDir, startTestDb } from './startTestDb.js';

describe('localdb time-series collections and TTL', () => {
  let server: LocalDb;
  let client: MongoClient;
  let db: Db;
  beforeAll(async () => {
    server = await startTestDb();
    client = await MongoClient.connect(server.uri);
    db = client.db('ts');
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('creates a time-series collection that listCollections reports with its options and a meta/time index', async () => {
    await db.createCollection('readings', {
      timeseries: {
        timeField: 'observedAt',
        metaField: 'sensor',
        granularity: 'minutes',
      },
      expireAfterSeconds: 3600,
    });
    const [info] = await db.listCollections({ name: 'readings' }).toArray();
    expect(info).toMatchObject({
      name: 'readings',
      type: 'timeseries',
      options: {
        timeseries: {
          timeField: 'observedAt',
          metaField: 'sensor',
          granularity: 'minutes',
          bucketMaxSpanSeconds: 86400,
        },
        expireAfterSeconds: 3600,
      },
    });
    const indexes = await db.collection('readings').listIndexes().toArray();
    expect(indexes.map((i) => i['key'])).toContainEqual({
      sensor: 1,
      observedAt: 1,
    });
  });

  it('refuses a measurement without a date in the time field, and bad options', async () => {
    const coll = db.collection('readings');
    await expect(
      coll.insertOne({ sensor: 'S1', value: 3 }),
    ).rejects.toMatchObject({
      code: 2,
      message: expect.stringMatching(
        /'observedAt' must be present and contain a valid BSON UTC datetime value/,
      ),
    });
    await expect(
      coll.insertOne({ sensor: 'S1', observedAt: '2026-01-01' }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(
      db.createCollection('bad1', { timeseries: { metaField: 'm' } as never }),
    ).rejects.toMatchObject({ code: 40414 });
    await expect(
      db.createCollection('bad2', {
        timeseries: { timeField: 't', granularity: 'days' as never },
      }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(
      db.createCollection('bad3', { expireAfterSeconds: 10 }),
    ).rejects.toMatchObject({ code: 72 });
  });

  it('removes measurements past expireAfterSeconds and documents past a TTL index, nothing else', () => {
    const store = Store.open({ logger: silentLogger });
    const now = Date.UTC(2026, 5, 1);
    const ts = store.createCollection('app', 'ts', {
      timeseries: { timeField: 't', granularity: 'seconds' },
      expireAfterSeconds: 60,
    });
    ts.insert({ _id: 'old', t: new Date(now - 61_000) });
    ts.insert({ _id: 'new', t: new Date(now - 59_000) });
    const sessions = store.createCollection('app', 'sessions', {});
    sessions.createIndex({ key: { at: 1 }, expireAfterSeconds: 10 });
    sessions.insert({ _id: 'a', at: new Date(now - 11_000) });
    sessions.insert({ _id: 'b', at: [new Date(now), new Date(now - 20_000)] });
    sessions.insert({ _id: 'c', at: new Date(now - 1_000) });
    sessions.insert({ _id: 'd', at: 'not a date' });
    expect(store.expire(now)).toBe(3);
    expect([...ts.values()].map((d) => d['_id'])).toEqual(['new']);
    expect([...sessions.values()].map((d) => d['_id'])).toEqual(['c', 'd']);
    store.close();
  });

  it('runs the TTL monitor on its own', async () => {
    const ttlServer = await startTestDb({ ttlIntervalMs: 20 });
    const ttlClient = await MongoClient.connect(ttlServer.uri);
    try {
      const coll = ttlClient.db('app').collection('sessions');
      await coll.createIndex({ at: 1 }, { expireAfterSeconds: 0 });
      await coll.insertOne({ at: new Date(Date.now() - 1000) });
      await expect
        .poll(() => coll.countDocuments(), { timeout: 10_000 })
        .toBe(0);
    } finally {
      await ttlClient.close();
      await ttlServer.stop();
    }
  });

  describe('updates MongoDB 7.0 refuses on a time-series collection', () => {
    const seeded = async (name: string) => {
      await db.createCollection(name, {
        timeseries: { timeField: 'at', metaField: 'device' },
      });
      const coll = db.collection<{
        _id: string;
        at: Date;
        device: { id: string; district: string };
        value: number;
      }>(name);
      await coll.insertMany([
        {
          _id: 'a@1',
          at: new Date('2026-11-01T00:00:00Z'),
          device: { id: 'a', district: '13201' },
          value: 1,
        },
        {
          _id: 'b@1',
          at: new Date('2026-11-01T00:00:00Z'),
          device: { id: 'b', district: '13202' },
          value: 2,
        },
      ]);
      return coll;
    };

    it('refuses an upsert and a non-multi update with code 72, as MongoDB does', async () => {
      const coll = await seeded('w_update');
      await expect(
        coll.updateOne(
          { _id: 'c@1' },
          { $setOnInsert: { value: 3 } },
          { upsert: true },
        ),
      ).rejects.toMatchObject({
        code: 72,
        message:
          'Cannot perform a non-multi update on a time-series collection',
      });
      await expect(
        coll.updateMany(
          { 'device.id': 'c' },
          { $set: { 'device.district': '13203' } },
          { upsert: true },
        ),
      ).rejects.toMatchObject({
        code: 72,
        message: 'Cannot perform an upsert on a time-series collection',
      });
      await expect(
        coll.bulkWrite([
          {
            updateOne: {
              filter: { _id: 'a@1' },
              update: { $set: { value: 9 } },
            },
          },
        ]),
      ).rejects.toMatchObject({ code: 72 });
      expect(await coll.countDocuments()).toBe(2);
    });

    it('updates the meta field of many measurements, and refuses a filter or a change elsewhere', async () => {
      const coll = await seeded('w_meta');
      const result = await coll.updateMany(
        { 'device.id': 'a' },
        { $set: { 'device.district': '13216' } },
      );
      expect(result.modifiedCount).toBe(1);
      expect((await coll.findOne({ _id: 'a@1' }))?.device.district).toBe(
        '13216',
      );
      await expect(
        coll.updateMany({ value: 1 }, { $set: { 'device.district': 'x' } }),
      ).rejects.toMatchObject({
        code: 72,
        message:
          "Cannot perform an update or delete on a time-series collection when querying on a field that is not the metaField 'device'",
      });
      await expect(
        coll.updateMany({ 'device.id': 'a' }, { $set: { value: 5 } }),
      ).rejects.toMatchObject({
        code: 72,
        message:
          "Cannot perform an update on a time-series collection which updates a field that is not the metaField 'device'",
      });
      await expect(
        coll.findOneAndUpdate({ 'device.id': 'a' }, { $set: { value: 5 } }),
      ).rejects.toMatchObject({ code: 72 });
    });

    it('deletes one or many measurements, filtered on any field, as from MongoDB 7.0', async () => {
      const coll = await seeded('w_delete');
      expect((await coll.deleteOne({ 'device.id': 'a' })).deletedCount).toBe(1);
      expect((await coll.deleteMany({ value: 2 })).deletedCount).toBe(1);
      expect(await coll.countDocuments()).toBe(0);
    });

    it('stores a second measurement with an _id already stored, as MongoDB (no _id index)', async () => {
      const coll = await seeded('w_dup');
      const again = {
        _id: 'a@1',
        at: new Date('2026-11-02T00:00:00Z'),
        device: { id: 'a', district: '13201' },
        value: 7,
      };
      await coll.insertOne(again);
      await coll.insertMany([{ ...again, value: 8 }], { ordered: false });
      const byId = await coll.find({ _id: 'a@1' }).sort({ value: 1 }).toArray();
      expect(byId.map((d) => d.value)).toEqual([1, 7, 8]);
      expect(await coll.countDocuments({ _id: 'a@1' })).toBe(3);
      expect(
        (await db.collection('w_dup').listIndexes().toArray()).map(
          (i) => i['name'],
        ),
      ).not.toContain('_id_');
      // Each copy is its own measurement: updated and deleted one by one.
      await coll.updateMany(
        { 'device.id': 'a' },
        { $set: { 'device.district': '13203' } },
      );
      expect(
        await coll.countDocuments({ 'device.district': '13203', _id: 'a@1' }),
      ).toBe(3);
      expect(
        (await coll.deleteOne({ _id: 'a@1', value: 7 })).deletedCount,
      ).toBe(1);
      expect(
        (await coll.find({ _id: 'a@1' }).toArray()).map((d) => d.value).sort(),
      ).toEqual([1, 8]);
    });
  });

  it('keeps duplicate-_id measurements through the journal, a compaction and a restart', async () => {
    const tmp = makeTempDir();
    try {
      const options = { dataDir: tmp.dir, compactBytes: 1 };
      let s = await startTestDb(options);
      let cl = await MongoClient.connect(s.uri);
      const app = cl.db('app');
      await app.createCollection('r', {
        timeseries: { timeField: 'at', metaField: 'm' },
      });
      type M = { _id: string; at: Date; m: string; v: number };
      const at = new Date('2026-11-01T00:00:00Z');
      for (const v of [1, 2, 3])
        await app.collection<M>('r').insertOne({ _id: 'x', at, m: 'a', v });
      await app.collection<M>('r').deleteOne({ v: 2 });
      await app.collection<M>('r').insertOne({ _id: 'x', at, m: 'a', v: 4 });
      const read = async (c: MongoClient) =>
        (await c.db('app').collection<M>('r').find({ _id: 'x' }).toArray())
          .map((d) => d.v)
          .sort();
      expect(await read(cl)).toEqual([1, 3, 4]);
      for (const compact of [false, true]) {
        await cl.close();
        await s.stop();
        s = await startTestDb(compact ? options : { dataDir: tmp.dir });
        cl = await MongoClient.connect(s.uri);
        expect(await read(cl)).toEqual([1, 3, 4]);
        await cl
          .db('app')
          .collection<M>('r')
          .insertOne({ _id: 'x', at, m: 'a', v: 5 });
        await cl.db('app').collection<M>('r').deleteOne({ v: 5 });
      }
      await cl.close();
      await s.stop();
    } finally {
      tmp.remove();
    }
  });

  it('removes measurements past a short expireAfterSeconds with its TTL monitor, and follows collMod', async () => {
    const ttlServer = await startTestDb({ ttlIntervalMs: 20 });
    const ttlClient = await MongoClient.connect(ttlServer.uri);
    try {
      const app = ttlClient.db('app');
      await app.createCollection('readings', {
        timeseries: { timeField: 'at', metaField: 'device' },
        expireAfterSeconds: 2,
      });
      const coll = app.collection('readings');
      const now = Date.now();
      await coll.insertMany([
        { at: new Date(now - 60_000), device: { id: 'old' } },
        { at: new Date(now + 3_600_000), device: { id: 'kept' } },
      ]);
      await expect
        .poll(() => coll.countDocuments({ 'device.id': 'old' }), {
          timeout: 10_000,
        })
        .toBe(0);
      expect(await coll.countDocuments({ 'device.id': 'kept' })).toBe(1);
      // A longer retention keeps what the shorter one would have removed.
      await app.command({ collMod: 'readings', expireAfterSeconds: 86_400 });
      await coll.insertOne({
        at: new Date(now - 60_000),
        device: { id: 'day' },
      });
      const [info] = await app.listCollections({ name: 'readings' }).toArray();
      expect(info).toMatchObject({
        options: { expireAfterSeconds: 86_400 },
      });
      await app.command({ collMod: 'readings', expireAfterSeconds: 1 });
      await expect
        .poll(() => coll.countDocuments({ 'device.id': 'day' }), {
          timeout: 10_000,
        })
        .toBe(0);
    } finally {
      await ttlClient.close();
      await ttlServer.stop();
    }
  });
});
