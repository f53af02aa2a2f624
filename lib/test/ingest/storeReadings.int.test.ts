import { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  READING_KEYS_COLLECTION,
  readingKey,
  readingKeyDocDefinition,
  readingKeyTtlSeconds,
  repairReadingKeys,
  storeReadings,
  type ReadingKeyDoc,
  type StoredReadings,
} from '../../ingest/storeObservations.js';
import { createLogger, createSilentLogger } from '../../runtime/logger.js';
import {
  READING_INDEXES,
  createReadingByIdLoader,
  prepareReadingStorage,
  readingDeviceDefinition,
  readingSeriesSchemaOptions,
  type ReadingDevice,
} from '../../subgraph-kit/readingSeries.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../tooling/testing/testDatabase.js';

interface ReadingDoc {
  _id: string;
  device: ReadingDevice;
  observedAt: Date;
  value: number;
}

/** The models a department compiles, on `connection`, for `rawRetentionDays`. */
function compile(
  connection: Connection,
  rawRetentionDays: number,
  collection = 'test_readings',
) {
  const readings = new Schema<ReadingDoc>(
    {
      _id: { type: String, required: true },
      device: readingDeviceDefinition,
      observedAt: { type: Date, required: true },
      value: Number,
    },
    readingSeriesSchemaOptions({
      collection,
      granularity: 'minutes',
      rawRetentionDays,
    }),
  );
  for (const index of READING_INDEXES) readings.index(index);
  const keys = new Schema<ReadingKeyDoc>(readingKeyDocDefinition, {
    collection: READING_KEYS_COLLECTION,
    versionKey: false,
  });
  keys.index(
    { receivedAt: 1 },
    { expireAfterSeconds: readingKeyTtlSeconds(rawRetentionDays) },
  );
  return {
    Reading: connection.model<ReadingDoc>(`Reading_${collection}`, readings),
    ReadingKey: connection.model<ReadingKeyDoc>('ReadingKey', keys),
  };
}

const reading = (device: string, iso: string, value = 1): ReadingDoc => ({
  _id: `${device}@${new Date(iso).toISOString()}`,
  device: { id: device, district: '13201' },
  observedAt: new Date(iso),
  value,
});

function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'info',
    format: 'json',
    destination: {
      write: (line: string) =>
        void lines.push(JSON.parse(line) as { level: string; msg: string }),
    },
  });
  return { logger, lines };
}

describe('raw readings: time-series collections and the reading_keys ledger', () => {
  let db: TestDatabase;
  let models: ReturnType<typeof compile>;

  beforeAll(async () => {
    db = await startTestDatabase('readings-test');
    models = compile(db.connection, 90);
    await prepareReadingStorage({
      readings: models.Reading,
      keys: models.ReadingKey,
      logger: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await db.stop();
  });

  const store = (
    docs: ReadingDoc[],
    onStored?: (stored: StoredReadings<ReadingDoc>) => void,
  ) =>
    storeReadings(
      {
        readings: models.Reading.collection,
        keys: models.ReadingKey.collection,
        ...(onStored ? { onStored } : {}),
      },
      docs,
    );

  it('creates the collection as a time-series collection with the declared options, and the ledger with its TTL', async () => {
    const [info] = await db.connection
      .db!.listCollections({ name: 'test_readings' })
      .toArray();
    expect(info).toMatchObject({
      type: 'timeseries',
      options: {
        timeseries: {
          timeField: 'observedAt',
          metaField: 'device',
          granularity: 'minutes',
        },
        expireAfterSeconds: 90 * 86_400,
      },
    });
    const indexes = await models.Reading.collection.listIndexes().toArray();
    expect(indexes.map((i) => i['key'])).toEqual(
      expect.arrayContaining([
        { 'device.id': 1, observedAt: -1 },
        { 'device.district': 1, observedAt: -1 },
      ]),
    );
    const keyIndexes = await models.ReadingKey.collection
      .listIndexes()
      .toArray();
    expect(
      keyIndexes.find((i) => i['key']['receivedAt'] === 1)?.[
        'expireAfterSeconds'
      ],
    ).toBe(91 * 86_400);
  });

  it('stores each reading once: a resend and a repeat inside a batch are duplicates, and the hook hears both', async () => {
    const a = reading('s1', '2026-11-20T10:00:00Z');
    const b = reading('s1', '2026-11-20T10:15:00Z');
    const heard: StoredReadings<ReadingDoc>[] = [];
    expect(await store([a, b, a], (s) => void heard.push(s))).toEqual([
      'created',
      'created',
      'duplicate',
    ]);
    expect(await store([b], (s) => void heard.push(s))).toEqual(['duplicate']);
    expect(heard.map((h) => h.created.map((d) => d._id))).toEqual([
      [a._id, b._id],
      [],
    ]);
    expect(heard[1]?.duplicates.map((d) => d._id)).toEqual([b._id]);
    expect(await models.Reading.countDocuments({ 'device.id': 's1' })).toBe(2);
    expect(
      await models.ReadingKey.countDocuments({
        _id: { $in: [readingKey('test_readings', a._id)] },
      }),
    ).toBe(1);
  });

  it('removes the keys of readings that failed to land and fails the batch, so the retry stores them', async () => {
    const doc = reading('s2', '2026-11-20T11:00:00Z');
    const failing = {
      collectionName: models.Reading.collection.collectionName,
      insertMany: () => Promise.reject(new Error('connection reset')),
      find: models.Reading.collection.find.bind(models.Reading.collection),
    };
    await expect(
      storeReadings({ readings: failing, keys: models.ReadingKey.collection }, [
        doc,
      ]),
    ).rejects.toThrow('connection reset');
    expect(
      await models.ReadingKey.countDocuments({
        _id: readingKey('test_readings', doc._id),
      }),
    ).toBe(0);
    expect(await store([doc])).toEqual(['created']);
  });

  it('a failed hook fails the call, and its retry hands the readings over again as duplicates', async () => {
    const doc = reading('s3', '2026-11-20T12:00:00Z');
    await expect(
      store([doc], () => {
        throw new Error('rollup marker refused');
      }),
    ).rejects.toThrow('rollup marker refused');
    const heard: StoredReadings<ReadingDoc>[] = [];
    expect(await store([doc], (s) => void heard.push(s))).toEqual([
      'duplicate',
    ]);
    expect(heard[0]?.duplicates).toHaveLength(1);
  });

  it('repairs the keys a crash left without their reading, within the lookback before the newest key', async () => {
    const stored = reading('s4', '2026-11-20T13:00:00Z');
    await store([stored]);
    const orphan = reading('s4', '2026-11-20T13:15:00Z');
    const oldOrphan = reading('s4', '2026-11-20T13:30:00Z');
    const newest = new Date();
    await models.ReadingKey.collection.insertMany([
      { _id: readingKey('test_readings', orphan._id), receivedAt: newest },
      {
        _id: readingKey('test_readings', oldOrphan._id),
        receivedAt: new Date(newest.getTime() - 60 * 60_000),
      },
      // Another collection's key: not this collection's to judge.
      { _id: readingKey('other_readings', orphan._id), receivedAt: newest },
    ] as never[]);
    const removed = await repairReadingKeys({
      readings: models.Reading.collection,
      keys: models.ReadingKey.collection,
    });
    expect(removed).toBe(1);
    const left = await models.ReadingKey.find({
      _id: {
        $in: [
          readingKey('test_readings', stored._id),
          readingKey('test_readings', orphan._id),
          readingKey('test_readings', oldOrphan._id),
          readingKey('other_readings', orphan._id),
        ],
      },
    })
      .lean()
      .exec();
    expect(left.map((k) => k._id).sort()).toEqual(
      [
        readingKey('other_readings', orphan._id),
        readingKey('test_readings', oldOrphan._id),
        readingKey('test_readings', stored._id),
      ].sort(),
    );
    // The repaired reading is stored when sent again.
    expect(await store([orphan])).toEqual(['created']);
  });

  it('loads readings by id through the series index, null for a missing one', async () => {
    const loader = createReadingByIdLoader<ReadingDoc>(models.Reading);
    const [found, missing, bad] = await loader.loadMany([
      'l@2026-11-20T10:00:00.000Z',
      's1@2026-11-20T10:15:00.000Z',
      'not-an-id',
    ]);
    expect(found).toBeNull();
    expect(missing).toMatchObject({ device: { id: 's1' }, value: 1 });
    expect(bad).toBeNull();
  });

  it('sets a changed retention on the collection and the ledger with collMod at the next start', async () => {
    const restarted = db.connection.useDb('readings-test', { useCache: false });
    const next = compile(restarted, 30);
    const { logger, lines } = recordingLogger();
    await prepareReadingStorage({
      readings: next.Reading,
      keys: next.ReadingKey,
      logger,
    });
    const [info] = await db.connection
      .db!.listCollections({ name: 'test_readings' })
      .toArray();
    expect(info).toMatchObject({
      options: { expireAfterSeconds: 30 * 86_400 },
    });
    const keyIndexes = await next.ReadingKey.collection.listIndexes().toArray();
    expect(
      keyIndexes.find((i) => i['key']['receivedAt'] === 1)?.[
        'expireAfterSeconds'
      ],
    ).toBe(31 * 86_400);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'test_readings: raw retention set to 30 days',
        'reading_keys: key TTL set to 31 days',
      ]),
    );
  });

  it('says so when the collection exists as a plain collection, and still stores and deduplicates', async () => {
    await db.connection.db!.createCollection('plain_readings');
    const plain = compile(
      db.connection.useDb('readings-test', { useCache: false }),
      90,
      'plain_readings',
    );
    const { logger, lines } = recordingLogger();
    await prepareReadingStorage({
      readings: plain.Reading,
      keys: plain.ReadingKey,
      logger,
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: expect.stringMatching(
          /^plain_readings is a plain collection, not a time-series collection/,
        ),
      }),
    );
    const doc = reading('p1', '2026-11-20T10:00:00Z');
    const write = () =>
      storeReadings(
        {
          readings: plain.Reading.collection,
          keys: plain.ReadingKey.collection,
        },
        [doc],
      );
    expect(await write()).toEqual(['created']);
    expect(await write()).toEqual(['duplicate']);
    // A reading stored before the ledger existed is a duplicate too.
    await plain.ReadingKey.deleteMany({
      _id: readingKey('plain_readings', doc._id),
    });
    expect(await write()).toEqual(['duplicate']);
    expect(await plain.Reading.countDocuments()).toBe(1);
  });
});
