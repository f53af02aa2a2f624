import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { Store } from '../src/storage/Store.js';
import { silentLogger } from '../src/index.js';
import { startTestDb } from './startTestDb.js';

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
});
