import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Collection } from 'mongodb';
import { createSilentLogger } from '../../runtime/logger.js';
import { recomputeWindows } from '../../subgraph-kit/recomputeRollups.js';
import { readTotals, readTrends } from '../../subgraph-kit/readTrend.js';
import { createRollupJob } from '../../subgraph-kit/rollupJob.js';
import {
  clearMarkers,
  findMarkers,
  markDirtyWindows,
  pendingCollection,
} from '../../subgraph-kit/rollupPending.js';
import {
  RESOLUTIONS,
  rollupCollection,
  rollupId,
  type QuantityStats,
  type Resolution,
  type RollupDoc,
  type RollupScope,
  type RollupSeries,
} from '../../subgraph-kit/rollups.js';
import { RESOLUTION_MS, floorTo } from '../../subgraph-kit/rollupWindows.js';
import { SeededRandom } from '../../subgraph-kit/seeding.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../tooling/testing/testDatabase.js';

/** A reading shaped as the design says (notes/scale-design.md): `device.{id,district}`, `observedAt`. */
interface Reading {
  _id: string;
  device: { id: string; district: string };
  observedAt: Date;
  level: number | null;
  busy: boolean | null;
}

const series: RollupSeries = {
  readings: 'test_readings',
  quantities: {
    level: '$level',
    // A boolean as 1/0, as mobility's congested readings are.
    busy: {
      $cond: [
        { $eq: ['$busy', true] },
        1,
        { $cond: [{ $eq: ['$busy', false] }, 0, null] },
      ],
    },
  },
};

const DEVICES = [
  { id: 'dev-a', district: '13201' },
  { id: 'dev-b', district: '13201' },
  { id: 'dev-c', district: '13202' },
  { id: 'dev-d', district: '13202' },
  { id: 'dev-e', district: '13203' },
];
const START = new Date('2026-11-20T00:00:00Z');
/** The test's clock: raw retention (90 days) reaches back well before START. */
const NOW = new Date('2026-11-25T00:00:00Z');

function randomReadings(random: SeededRandom, count: number): Reading[] {
  const readings = new Map<string, Reading>();
  while (readings.size < count) {
    const device = random.pick(DEVICES);
    // Three days, to the second, so windows, hours and days all have several readings.
    const observedAt = new Date(
      START.getTime() + random.int(0, 3 * 86_400 - 1) * 1000,
    );
    const id = `${device.id}@${observedAt.toISOString()}`;
    const r = random.next();
    readings.set(id, {
      _id: id,
      device,
      observedAt,
      level: r < 0.1 ? null : random.int(-50, 500) / 4,
      busy: r > 0.85 ? null : random.next() < 0.3,
    });
  }
  return [...readings.values()];
}

type Expected = Map<
  string,
  { count: number; q: Record<string, QuantityStats> }
>;

/** Every rollup document, computed in plain code from the raw readings. */
function expectedRollups(readings: readonly Reading[]): Expected {
  const expected: Expected = new Map();
  const values = (r: Reading) => ({
    level: r.level,
    busy: r.busy === null ? null : r.busy ? 1 : 0,
  });
  for (const r of readings)
    for (const resolution of RESOLUTIONS)
      for (const [scope, key] of [
        ['device', r.device.id],
        ['district', r.device.district],
      ] as [RollupScope, string][]) {
        const id = rollupId(
          scope,
          key,
          resolution,
          floorTo(r.observedAt, resolution),
        );
        const entry = expected.get(id) ?? {
          count: 0,
          q: {
            level: { count: 0, sum: 0, min: null, max: null },
            busy: { count: 0, sum: 0, min: null, max: null },
          },
        };
        entry.count += 1;
        for (const [name, v] of Object.entries(values(r))) {
          if (v === null) continue;
          const s = entry.q[name] as QuantityStats;
          s.count += 1;
          s.sum += v;
          s.min = s.min === null ? v : Math.min(s.min, v);
          s.max = s.max === null ? v : Math.max(s.max, v);
        }
        expected.set(id, entry);
      }
  return expected;
}

describe('rollups', () => {
  let db: TestDatabase;
  let readings: Collection<Reading>;
  let rollups: Collection<RollupDoc>;
  const logger = createSilentLogger();
  const job = (overrides: { now?: Date; batchSize?: number } = {}) =>
    createRollupJob({
      connection: db.connection,
      series: [series],
      logger,
      now: () => overrides.now ?? NOW,
      ...(overrides.batchSize ? { batchSize: overrides.batchSize } : {}),
    });
  const store = async (docs: Reading[], now = NOW) => {
    await readings.insertMany(docs);
    await markDirtyWindows(
      db.connection,
      series.readings,
      docs.map((d) => d.observedAt),
      now,
    );
  };
  const allRaw = () => readings.find({}).toArray();
  const expectRollupsEqualRaw = async () => {
    const expected = expectedRollups(await allRaw());
    const docs = await rollups.find({}).toArray();
    expect(docs.map((d) => d._id).sort()).toEqual([...expected.keys()].sort());
    for (const doc of docs) {
      const want = expected.get(doc._id);
      expect(doc.count, doc._id).toBe(want?.count);
      expect(doc.end.getTime() - doc.start.getTime()).toBe(
        RESOLUTION_MS[doc.resolution],
      );
      for (const name of ['level', 'busy']) {
        const got = doc.q[name] as QuantityStats;
        const w = want?.q[name] as QuantityStats;
        expect({ ...got, sum: 0 }, `${doc._id} ${name}`).toEqual({
          ...w,
          sum: 0,
        });
        expect(got.sum).toBeCloseTo(w.sum, 6);
      }
    }
  };

  beforeAll(async () => {
    db = await startTestDatabase('rollups-test');
    const database = db.connection.db;
    if (!database) throw new Error('not connected');
    // Shaped as the departments' reading collections are.
    await database.createCollection(series.readings, {
      timeseries: {
        timeField: 'observedAt',
        metaField: 'device',
        granularity: 'minutes',
      },
    });
    readings = database.collection<Reading>(series.readings);
    rollups = rollupCollection(db.connection, series);
  });
  beforeEach(async () => {
    await readings.deleteMany({});
    await rollups.deleteMany({});
    await pendingCollection(db.connection).deleteMany({});
  });
  afterAll(() => db.stop());

  it('equal a recomputation from the raw readings, for randomized readings, at every resolution and scope', async () => {
    const random = randomReadings(new SeededRandom('rollups-1'), 1500);
    await store(random);
    const report = await job({ batchSize: 50 }).runOnce();
    expect(report.windows).toBe(
      new Set(random.map((r) => floorTo(r.observedAt, '15m').getTime())).size,
    );
    expect(report.windows).toBeGreaterThan(250);
    // Batches of 50 windows: an hour cut by two batches is recomputed in each.
    expect(report.hours).toBeGreaterThanOrEqual(72);
    expect(report.days).toBeGreaterThanOrEqual(3);
    expect(await pendingCollection(db.connection).countDocuments()).toBe(0);
    await expectRollupsEqualRaw();
  });

  it('read back as trends equal to the same buckets recomputed from raw readings', async () => {
    await store(randomReadings(new SeededRandom('rollups-2'), 600));
    await job().runOnce();
    const read = (resolution: Resolution, source: 'ROLLUPS' | 'RAW') =>
      readTrends({
        connection: db.connection,
        series,
        scope: 'district',
        keys: ['13201', '13202', '13299'],
        range: {
          from: new Date('2026-11-20T05:10:00Z'),
          to: new Date('2026-11-22T07:00:00Z'),
        },
        resolution,
        source,
        now: NOW,
      });
    for (const resolution of RESOLUTIONS) {
      const fromRollups = await read(resolution, 'ROLLUPS');
      const fromRaw = await read(resolution, 'RAW');
      for (const key of ['13201', '13202']) {
        const a = fromRollups.get(key);
        const b = fromRaw.get(key);
        expect(a?.buckets.length).toBeGreaterThan(0);
        expect(a?.buckets.map((x) => [x.start, x.count])).toEqual(
          b?.buckets.map((x) => [x.start, x.count]),
        );
        a?.buckets.forEach((bucket, i) => {
          const other = b?.buckets[i];
          const mean = other?.q['level']?.mean ?? null;
          if (mean === null) expect(bucket.q['level']?.mean).toBeNull();
          else expect(bucket.q['level']?.mean).toBeCloseTo(mean, 6);
          expect(bucket.q['busy']).toEqual(other?.q['busy']);
        });
      }
      expect(fromRollups.get('13299')).toMatchObject({
        resolution,
        source: 'ROLLUPS',
        reachesPastRawRetention: false,
        buckets: [],
      });
    }
  });

  it('update the right 15m, 1h and 1d buckets for late and out-of-order readings', async () => {
    await store(randomReadings(new SeededRandom('rollups-3'), 400));
    await job().runOnce();
    const before = new Map(
      (await rollups.find({}).toArray()).map((d) => [d._id, d]),
    );
    // Two days late, in reverse order, one of them in a window nobody had yet.
    const late: Reading[] = [
      {
        _id: 'dev-c@2026-11-21T13:44:00.000Z',
        device: { id: 'dev-c', district: '13202' },
        observedAt: new Date('2026-11-21T13:44:00Z'),
        level: 999,
        busy: true,
      },
      {
        _id: 'dev-z@2026-11-20T02:03:00.000Z',
        device: { id: 'dev-z', district: '13202' },
        observedAt: new Date('2026-11-20T02:03:00Z'),
        level: -999,
        busy: null,
      },
    ];
    await store(late);
    const report = await job().runOnce();
    expect(report.windows).toBe(2);
    await expectRollupsEqualRaw();
    const after = await rollups.find({}).toArray();
    const changed = after
      .filter((d) => JSON.stringify(d) !== JSON.stringify(before.get(d._id)))
      .map((d) => d._id)
      .sort();
    expect(changed).toEqual(
      [
        ...['device|dev-c', 'district|13202'].flatMap((k) => [
          `${k}|15m|2026-11-21T13:30:00.000Z`,
          `${k}|1h|2026-11-21T13:00:00.000Z`,
          `${k}|1d|2026-11-21T00:00:00.000Z`,
        ]),
        ...['device|dev-z', 'district|13202'].flatMap((k) => [
          `${k}|15m|2026-11-20T02:00:00.000Z`,
          `${k}|1h|2026-11-20T02:00:00.000Z`,
          `${k}|1d|2026-11-20T00:00:00.000Z`,
        ]),
      ].sort(),
    );
    const hour = after.find(
      (d) => d._id === 'district|13202|1h|2026-11-21T13:00:00.000Z',
    );
    expect(hour?.q['level']?.max).toBe(999);
  });

  it('keeps a window marked during its recompute marked, and its new reading is counted next run', async () => {
    const first: Reading = {
      _id: 'dev-a@2026-11-20T10:01:00.000Z',
      device: { id: 'dev-a', district: '13201' },
      observedAt: new Date('2026-11-20T10:01:00Z'),
      level: 1,
      busy: false,
    };
    await store([first]);
    // The job's steps, with a reading stored and marked between the read of
    // the marker and its compare-and-delete (at the same millisecond).
    const markers = await findMarkers(db.connection, series.readings, 10);
    await recomputeWindows(
      { connection: db.connection, series },
      markers.map((m) => m.window),
    );
    await store([
      {
        ...first,
        _id: 'dev-a@2026-11-20T10:02:00.000Z',
        observedAt: new Date('2026-11-20T10:02:00Z'),
        level: 3,
      },
    ]);
    expect(await clearMarkers(db.connection, markers)).toBe(0);
    expect(
      await pendingCollection(db.connection).countDocuments({
        collection: series.readings,
      }),
    ).toBe(1);
    await job().runOnce();
    const window = await rollups.findOne({
      _id: 'device|dev-a|15m|2026-11-20T10:00:00.000Z',
    });
    expect(window).toMatchObject({
      count: 2,
      q: { level: { sum: 4, max: 3 } },
    });
    expect(await pendingCollection(db.connection).countDocuments()).toBe(0);
  });

  it('catches up at start with what was marked while no job ran, and stops cleanly', async () => {
    await store(randomReadings(new SeededRandom('rollups-4'), 300));
    expect(await rollups.countDocuments()).toBe(0);
    const started = job({ batchSize: 20 });
    const catchUp = await started.start();
    await started.stop();
    expect(catchUp?.windows).toBeGreaterThan(0);
    expect(await pendingCollection(db.connection).countDocuments()).toBe(0);
    await expectRollupsEqualRaw();
  });

  it('recomputes a window marked again at every batch at most once per hotWindowMs, then counts what came meanwhile', async () => {
    const reading: Reading = {
      _id: 'dev-e@2026-11-24T23:50:00.000Z',
      device: { id: 'dev-e', district: '13203' },
      observedAt: new Date('2026-11-24T23:50:00Z'),
      level: 5,
      busy: false,
    };
    let clock = NOW.getTime();
    const steady = createRollupJob({
      connection: db.connection,
      series: [series],
      logger,
      now: () => new Date(clock),
    });
    await store([reading]);
    expect(await steady.runOnce()).toMatchObject({ windows: 1, deferred: 0 });
    await store([
      {
        ...reading,
        _id: 'dev-e@x1',
        observedAt: new Date('2026-11-24T23:51:00Z'),
      },
    ]);
    clock += 10_000;
    expect(await steady.runOnce()).toMatchObject({ windows: 0, deferred: 1 });
    expect(await pendingCollection(db.connection).countDocuments()).toBe(1);
    clock += 20_000;
    expect(await steady.runOnce()).toMatchObject({ windows: 1, deferred: 0 });
    await expectRollupsEqualRaw();
  });

  it('never recomputes a window past raw retention: its rollup stands', async () => {
    const old: Reading = {
      _id: 'dev-b@2026-11-20T08:00:00.000Z',
      device: { id: 'dev-b', district: '13201' },
      observedAt: new Date('2026-11-20T08:00:00Z'),
      level: 10,
      busy: true,
    };
    await store([old]);
    await job().runOnce();
    const stood = await rollups.find({}).sort({ _id: 1 }).toArray();
    // 100 days later (raw retention 90 days) a late reading of that window arrives.
    const later = new Date(NOW.getTime() + 100 * 86_400_000);
    await store(
      [
        {
          ...old,
          _id: 'dev-b@2026-11-20T08:05:00.000Z',
          observedAt: new Date('2026-11-20T08:05:00Z'),
        },
      ],
      later,
    );
    const report = await job({ now: later }).runOnce();
    expect(report).toMatchObject({ windows: 0, skippedPastRetention: 1 });
    expect(await rollups.find({}).sort({ _id: 1 }).toArray()).toEqual(stood);
    expect(await pendingCollection(db.connection).countDocuments()).toBe(0);
    // Trends over that range say so.
    const trend = await readTrends({
      connection: db.connection,
      series,
      scope: 'device',
      keys: ['dev-b'],
      range: { from: old.observedAt, to: new Date('2026-11-21T00:00:00Z') },
      resolution: '1h',
      now: later,
    });
    expect(trend.get('dev-b')).toMatchObject({
      reachesPastRawRetention: true,
      buckets: [{ count: 1 }],
    });
  });

  it('totals any range from whole rollups plus the raw parts of cut windows, equal to the raw readings', async () => {
    await store(randomReadings(new SeededRandom('rollups-5'), 800));
    await job().runOnce();
    const raw = await allRaw();
    const range = {
      from: new Date('2026-11-20T22:07:31Z'),
      to: new Date('2026-11-22T01:50:00Z'),
    };
    const result = await readTotals({
      connection: db.connection,
      series,
      scope: 'device',
      keys: DEVICES.map((d) => d.id),
      range,
      now: NOW,
    });
    expect(result.usedRaw).toBe(true);
    for (const device of DEVICES) {
      const inRange = raw.filter(
        (r) =>
          r.device.id === device.id &&
          r.observedAt >= range.from &&
          r.observedAt < range.to,
      );
      const levels = inRange.flatMap((r) =>
        r.level === null ? [] : [r.level],
      );
      const totals = result.totals.get(device.id);
      expect(totals?.count).toBe(inRange.length);
      expect(totals?.q['level']).toMatchObject({
        count: levels.length,
        min: Math.min(...levels),
        max: Math.max(...levels),
      });
      expect(totals?.q['level']?.sum).toBeCloseTo(
        levels.reduce((a, b) => a + b, 0),
        6,
      );
    }
    const everything = await readTotals({
      connection: db.connection,
      series,
      scope: 'district',
      keys: ['13201'],
      now: NOW,
    });
    expect(everything.usedRaw).toBe(false);
    expect(everything.totals.get('13201')?.count).toBe(
      raw.filter((r) => r.device.district === '13201').length,
    );
  });

  it('lets one process at a time recompute a collection (a lease), and takes over an expired lease', async () => {
    await store(randomReadings(new SeededRandom('rollups-6'), 50));
    const leases = db.connection.collection('rollup_leases');
    await leases.insertOne({
      _id: series.readings as never,
      owner: 'another-replica',
      until: new Date(NOW.getTime() + 60_000),
    });
    const busy = await job().runOnce();
    expect(busy).toMatchObject({ windows: 0, busy: [series.readings] });
    expect(await rollups.countDocuments()).toBe(0);
    const later = await job({
      now: new Date(NOW.getTime() + 120_000),
    }).runOnce();
    expect(later.busy).toEqual([]);
    expect(later.windows).toBeGreaterThan(0);
    expect(await leases.countDocuments()).toBe(0);
    await expectRollupsEqualRaw();
  });
});
