/**
 * `npm run sim:year`: a year of readings for 5,000 sensors, generated and sampled, never stored
 * whole (docs/scale.md, "A year at 5,000 sensors"). Not a timed test: it prints figures, recorded
 * in docs/scale.md.
 *
 *   npm run sim:year -- [--sensors 5000] [--days 6] [--windows 4] [--runs 5] [--sample 10]
 *                       [--json out.json]
 *
 * The sensors are mixed like the city's (60 % traffic, 20 % noise, 10 % air quality, every minute;
 * 10 % water meters, hourly), spread over the 16 districts, and generated deterministically
 * (scripts/bench/syntheticReadings.ts). Three measurements:
 *   1. storage per day, for `--days` days spread over the year: the readings and the rollup
 *      documents each day makes, counted for every sensor; the BSON of every reading of one
 *      sensor in `--sample`, generated as the department stores it (the time-series measurement,
 *      its reading_keys entry), scaled to all; the rollups at the BSON size of the documents the
 *      real engine writes (step 2). Uncompressed BSON: see docs.
 *   2. rollup cost: the raw readings of `--windows` consecutive 15-minute windows of a weekday's
 *      morning rush, for all sensors, stored in a real localdb process; then the real engine
 *      (lib/subgraph-kit/recomputeRollups.ts) recomputes each window (15-minute rollups per
 *      device and district from raw, the hour and the day from the finer rollups; the day's other
 *      hours are there), with the CPU of the localdb process and of this process per window.
 *   3. query cost per range (a day, a week, a month, a year): a district's and a traffic
 *      sensor's trend read from rollups (lib/subgraph-kit/readTrend.ts, resolution as the graph
 *      chooses it) against the same buckets recomputed from raw readings, with a year of rollups
 *      and of one sensor's raw readings, and one day of the district's raw readings, in localdb.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { calculateObjectSize } from 'bson';
import type { Connection } from 'mongoose';
import {
  readingKey,
  type ReadingKeyDoc,
} from '../lib/ingest/storeObservations.js';
import { loadConfig } from '../lib/runtime/config.js';
import { connectDatabase } from '../lib/runtime/mongo.js';
import { readTrends, type TrendSource } from '../lib/subgraph-kit/readTrend.js';
import { recomputeWindows } from '../lib/subgraph-kit/recomputeRollups.js';
import {
  ensureRollupIndexes,
  rollupCollection,
  type RollupDoc,
  type RollupScope,
  type RollupSeries,
} from '../lib/subgraph-kit/rollups.js';
import {
  RESOLUTIONS,
  RESOLUTION_MS,
  chooseResolution,
  floorTo,
  type Resolution,
} from '../lib/subgraph-kit/rollupWindows.js';
import { cpuMs } from './bench/processCpu.js';
import { startLocalDbProcess } from './bench/localDbProcess.js';
import { percentile } from './bench/startSeededCity.js';
import {
  KIND_NAMES,
  READING_KINDS,
  readingsBetween,
  syntheticDevices,
  type DeviceMix,
  type ReadingKind,
  type SyntheticDevice,
  type SyntheticReading,
} from './bench/syntheticReadings.js';
import { rollupSeriesOf } from './bench/citySeries.js';
import { declaredCollections } from './shardKeys.js';

const { values: flags } = parseArgs({
  options: {
    sensors: { type: 'string', default: '5000' },
    days: { type: 'string', default: '6' },
    windows: { type: 'string', default: '4' },
    runs: { type: 'string', default: '5' },
    sample: { type: 'string', default: '10' },
    json: { type: 'string' },
  },
});
const positive = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return n;
};
const SENSORS = positive('sensors', flags.sensors);
const DAYS = positive('days', flags.days);
const WINDOWS = positive('windows', flags.windows);
const RUNS = positive('runs', flags.runs);
const SAMPLE = positive('sample', flags.sample);

const DAY_MS = 86_400_000;
const YEAR_FROM = Date.UTC(2026, 0, 1);
const YEAR_DAYS = 365;
const YEAR_TO = YEAR_FROM + YEAR_DAYS * DAY_MS;

/** The city's mix, scaled to `SENSORS`. */
const MIX: DeviceMix = {
  traffic: { count: Math.round(SENSORS * 0.6), everySeconds: 60 },
  noise: { count: Math.round(SENSORS * 0.2), everySeconds: 60 },
  air: { count: Math.round(SENSORS * 0.1), everySeconds: 60 },
  water: {
    count:
      SENSORS -
      Math.round(SENSORS * 0.6) -
      Math.round(SENSORS * 0.2) -
      Math.round(SENSORS * 0.1),
    everySeconds: 3600,
  },
};
const devices = syntheticDevices(MIX);
const devicesOf = (kind: ReadingKind) => devices.filter((d) => d.kind === kind);
const series = Object.fromEntries(
  KIND_NAMES.map((kind) => [
    kind,
    rollupSeriesOf(READING_KINDS[kind].collection),
  ]),
) as Record<ReadingKind, RollupSeries>;

/** The sampled days: spread evenly over the year (their start, UTC). */
const sampledDays = Array.from(
  { length: DAYS },
  (_, i) => YEAR_FROM + Math.floor(((i + 0.5) * YEAR_DAYS) / DAYS) * DAY_MS,
);

const mib = (bytes: number) => bytes / 1024 / 1024;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
const median = (xs: readonly number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

// ---------------------------------------------------------------------------
// 1. Storage per day: every reading of the sampled days, measured as BSON.

interface DayCounts {
  readings: number;
  rawBytes: number;
  ledgerBytes: number;
  /** Rollup documents of the day per resolution, per scope. */
  rollups: Record<RollupScope, Record<Resolution, number>>;
}

const emptyCounts = (): DayCounts => ({
  readings: 0,
  rawBytes: 0,
  ledgerBytes: 0,
  rollups: {
    device: { '15m': 0, '1h': 0, '1d': 0 },
    district: { '15m': 0, '1h': 0, '1d': 0 },
  },
});

/** The reading_keys entry of a reading (lib/ingest/storeObservations.ts). */
const ledgerEntry = (
  kind: ReadingKind,
  reading: SyntheticReading,
): ReadingKeyDoc => ({
  _id: readingKey(READING_KINDS[kind].collection, reading._id),
  receivedAt: reading.receivedAt,
});

/**
 * One day of every kind: reading and rollup counts of every device (from its period), BSON sizes
 * of every reading of one device in `SAMPLE` (all devices of a kind share the shape of their
 * documents; their values differ), scaled to the kind's readings.
 */
function measureDay(dayStart: number): Record<ReadingKind, DayCounts> {
  const out = Object.fromEntries(
    KIND_NAMES.map((k) => [k, emptyCounts()]),
  ) as Record<ReadingKind, DayCounts>;
  const from = new Date(dayStart);
  const to = new Date(dayStart + DAY_MS);
  for (const kind of KIND_NAMES) {
    const counts = out[kind];
    const districtBuckets: Record<Resolution, Set<string>> = {
      '15m': new Set(),
      '1h': new Set(),
      '1d': new Set(),
    };
    let sampled = 0;
    let rawBytes = 0;
    let ledgerBytes = 0;
    for (const device of devicesOf(kind)) {
      const buckets: Record<Resolution, Set<number>> = {
        '15m': new Set(),
        '1h': new Set(),
        '1d': new Set(),
      };
      const step = device.everySeconds * 1000;
      for (
        let t = Math.ceil(dayStart / step) * step;
        t < to.getTime();
        t += step
      ) {
        counts.readings += 1;
        for (const r of RESOLUTIONS) buckets[r].add(t - (t % RESOLUTION_MS[r]));
      }
      if (device.index % SAMPLE === 0)
        for (const reading of readingsBetween(device, from, to)) {
          sampled += 1;
          rawBytes += calculateObjectSize(reading);
          ledgerBytes += calculateObjectSize(ledgerEntry(kind, reading));
        }
      for (const r of RESOLUTIONS) {
        counts.rollups.device[r] += buckets[r].size;
        for (const b of buckets[r])
          districtBuckets[r].add(`${device.district}|${b}`);
      }
    }
    if (sampled > 0) {
      counts.rawBytes = (rawBytes / sampled) * counts.readings;
      counts.ledgerBytes = (ledgerBytes / sampled) * counts.readings;
    }
    for (const r of RESOLUTIONS)
      counts.rollups.district[r] = districtBuckets[r].size;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Databases: a real localdb process, the departments' collections as their models declare them.

const db = await startLocalDbProcess();
const connections = new Map<string, Connection>();
const connectionOf = (kind: ReadingKind): Connection => {
  const c = connections.get(READING_KINDS[kind].database);
  if (!c) throw new Error(`no connection for ${kind}`);
  return c;
};

async function insertReadings(
  kind: ReadingKind,
  readings: Iterable<SyntheticReading>,
): Promise<number> {
  const collection = connectionOf(kind).collection<SyntheticReading>(
    READING_KINDS[kind].collection,
  );
  let batch: SyntheticReading[] = [];
  let n = 0;
  for (const reading of readings) {
    batch.push(reading);
    if (batch.length === 5000) {
      await collection.insertMany(batch, { ordered: false });
      n += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await collection.insertMany(batch, { ordered: false });
    n += batch.length;
  }
  return n;
}

function* readingsOfAll(
  list: readonly SyntheticDevice[],
  from: Date,
  to: Date,
): Generator<SyntheticReading> {
  for (const device of list) yield* readingsBetween(device, from, to);
}

/** CPU of the localdb process and of this one, in ms, from now on. */
function cpuCounter() {
  const dbBefore = cpuMs(db.pid) ?? 0;
  const ownBefore = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const own = process.cpuUsage(ownBefore);
    return {
      wallMs: performance.now() - t0,
      dbCpuMs: (cpuMs(db.pid) ?? 0) - dbBefore,
      clientCpuMs: (own.user + own.system) / 1000,
    };
  };
}

try {
  for (const database of new Set(
    KIND_NAMES.map((k) => READING_KINDS[k].database),
  )) {
    const connection = await connectDatabase({
      uri: db.uri,
      dbName: database,
      monitorCommands: false,
    });
    connections.set(database, connection);
  }
  // The reading collections exactly as the models declare them (time-series options, indexes),
  // and the rollup collections' indexes as the engine creates them.
  for (const kind of KIND_NAMES) {
    const { collection, database } = READING_KINDS[kind];
    const declared = declaredCollections(database).find(
      (c) => c.name === collection,
    );
    if (declared === undefined)
      throw new Error(`no model declares ${database}.${collection}`);
    const connection = connectionOf(kind);
    // A model not moved to time-series storage yet gets its plain collection, as in production.
    if (declared.timeseries === undefined)
      console.log(
        `${database}.${collection}: a plain collection (its model declares no time-series options)`,
      );
    await connection.db?.createCollection(
      collection,
      declared.timeseries === undefined
        ? {}
        : { timeseries: declared.timeseries },
    );
    for (const index of declared.indexes)
      await connection
        .collection(collection)
        .createIndex(index as Record<string, 1 | -1>);
    await ensureRollupIndexes(connection, [series[kind]]);
  }

  console.log(
    `node ${process.version}; ${fmt(SENSORS)} sensors (${KIND_NAMES.map((k) => `${fmt(MIX[k].count)} ${k} every ${MIX[k].everySeconds / 60} min`).join(', ')}); ` +
      `${DAYS} sampled days, ${WINDOWS} measured windows, ${RUNS} runs per query`,
  );

  // -------------------------------------------------------------------------
  // 2. Rollup cost per 15-minute window (first, so that step 1 can price rollups at real sizes).
  const weekday =
    sampledDays.find((d) => {
      const day = new Date(d).getUTCDay();
      return day !== 0 && day !== 6;
    }) ??
    sampledDays[0] ??
    YEAR_FROM;
  // 07:00 UTC: the morning rush in Marseille.
  const rushStart = weekday + 7 * 3_600_000;
  const warmup = new Date(rushStart - RESOLUTION_MS['15m']);
  const windows = Array.from(
    { length: WINDOWS },
    (_, i) => new Date(rushStart + i * RESOLUTION_MS['15m']),
  );
  const tInsert = performance.now();
  let inserted = 0;
  for (const kind of KIND_NAMES)
    inserted += await insertReadings(
      kind,
      readingsOfAll(
        devicesOf(kind),
        warmup,
        new Date(rushStart + WINDOWS * RESOLUTION_MS['15m']),
      ),
    );
  console.log(
    `stored ${fmt(inserted)} raw readings of ${WINDOWS + 1} windows in ${((performance.now() - tInsert) / 1000).toFixed(1)} s`,
  );
  // Warm-up window (not measured); then the day's other hours, cloned from its hourly rollups,
  // so that each measured window's day is recomputed from a full day of hours.
  for (const kind of KIND_NAMES) {
    await recomputeWindows(
      { connection: connectionOf(kind), series: series[kind] },
      [warmup],
    );
    const rollups = rollupCollection(connectionOf(kind), series[kind]);
    const warmHour = floorTo(warmup, '1h').getTime();
    const hours = (await rollups
      .find({ resolution: '1h', start: new Date(warmHour) })
      .toArray()) as RollupDoc[];
    const clones: RollupDoc[] = [];
    for (let h = 0; h < 24; h++) {
      const start = weekday + h * 3_600_000;
      if (
        start === warmHour ||
        start === floorTo(windows[0] ?? warmup, '1h').getTime()
      )
        continue;
      for (const doc of hours) clones.push(shifted(doc, start));
    }
    for (let i = 0; i < clones.length; i += 5000)
      await insertNew(rollups, clones.slice(i, i + 5000));
  }
  const windowCosts: {
    window: string;
    wallMs: number;
    dbCpuMs: number;
    clientCpuMs: number;
    documents: number;
  }[] = [];
  for (const window of windows) {
    const done = cpuCounter();
    let documents = 0;
    for (const kind of KIND_NAMES)
      documents += (
        await recomputeWindows(
          { connection: connectionOf(kind), series: series[kind] },
          [window],
        )
      ).documents;
    windowCosts.push({ window: window.toISOString(), ...done(), documents });
  }

  // Rollup document sizes, as the engine wrote them.
  const rollupSize = {} as Record<
    ReadingKind,
    Record<RollupScope, Record<Resolution, number>>
  >;
  for (const kind of KIND_NAMES) {
    const docs = (await rollupCollection(connectionOf(kind), series[kind])
      .find({ start: { $gte: new Date(weekday) } })
      .toArray()) as RollupDoc[];
    const sizes: Record<RollupScope, Record<Resolution, number[]>> = {
      device: { '15m': [], '1h': [], '1d': [] },
      district: { '15m': [], '1h': [], '1d': [] },
    };
    for (const doc of docs)
      sizes[doc.scope][doc.resolution].push(calculateObjectSize(doc));
    rollupSize[kind] = {
      device: { '15m': 0, '1h': 0, '1d': 0 },
      district: { '15m': 0, '1h': 0, '1d': 0 },
    };
    for (const scope of ['device', 'district'] as const)
      for (const r of RESOLUTIONS) {
        const list = sizes[scope][r];
        rollupSize[kind][scope][r] =
          list.length === 0 ? 0 : list.reduce((a, b) => a + b, 0) / list.length;
      }
  }

  // -------------------------------------------------------------------------
  // 1. Storage per day, every reading of each sampled day.
  const tDays = performance.now();
  const perDay = sampledDays.map((d) => ({
    day: new Date(d).toISOString().slice(0, 10),
    counts: measureDay(d),
  }));
  console.log(
    `generated and measured ${DAYS} days of readings in ${((performance.now() - tDays) / 1000).toFixed(1)} s`,
  );
  const storage = KIND_NAMES.map((kind) => {
    const days = perDay.map((d) => d.counts[kind]);
    const mean = (f: (c: DayCounts) => number) =>
      days.reduce((a, c) => a + f(c), 0) / days.length;
    const rollupBytes = Object.fromEntries(
      RESOLUTIONS.map((r) => [
        r,
        mean(
          (c) =>
            c.rollups.device[r] * rollupSize[kind].device[r] +
            c.rollups.district[r] * rollupSize[kind].district[r],
        ),
      ]),
    ) as Record<Resolution, number>;
    const rollupDocs = Object.fromEntries(
      RESOLUTIONS.map((r) => [
        r,
        mean((c) => c.rollups.device[r] + c.rollups.district[r]),
      ]),
    ) as Record<Resolution, number>;
    return {
      kind,
      collection: READING_KINDS[kind].collection,
      sensors: MIX[kind].count,
      readingsPerDay: mean((c) => c.readings),
      rawBytesPerDay: mean((c) => c.rawBytes),
      ledgerBytesPerDay: mean((c) => c.ledgerBytes),
      rollupDocsPerDay: rollupDocs,
      rollupBytesPerDay: rollupBytes,
    };
  });

  // -------------------------------------------------------------------------
  // 3. Query cost per range: a district's and a sensor's traffic trend, rollups against raw.
  const district = devicesOf('traffic')[0]?.district ?? '13201';
  const sensor = devicesOf('traffic')[0];
  if (!sensor) throw new Error('no traffic sensor');
  const traffic = rollupCollection(connectionOf('traffic'), series.traffic);
  const templates = (await traffic
    .find({
      key: { $in: [district, sensor.id] },
      start: { $gte: new Date(weekday) },
    })
    .toArray()) as RollupDoc[];
  const tFill = performance.now();
  let filled = 0;
  for (const template of uniqueBy(
    templates,
    (t) => `${t.scope}|${t.resolution}`,
  )) {
    const size = RESOLUTION_MS[template.resolution];
    let batch: RollupDoc[] = [];
    for (let start = YEAR_FROM; start < YEAR_TO; start += size) {
      if (start === template.start.getTime()) continue;
      batch.push(shifted(template, start));
      if (batch.length === 5000) {
        filled += await insertNew(traffic, batch);
        batch = [];
      }
    }
    if (batch.length > 0) filled += await insertNew(traffic, batch);
  }
  // Raw: the sensor's year (past raw retention: only to compare), the district's last day.
  const stored = {
    from: warmup.getTime(),
    to: rushStart + WINDOWS * RESOLUTION_MS['15m'],
  };
  const sensorRaw = await insertReadings(
    'traffic',
    (function* () {
      for (const reading of readingsBetween(
        sensor,
        new Date(YEAR_FROM),
        new Date(YEAR_TO),
      )) {
        const t = reading.observedAt.getTime();
        if (t < stored.from || t >= stored.to) yield reading;
      }
    })(),
  );
  const lastDay = new Date(YEAR_TO - DAY_MS);
  const districtRaw = await insertReadings(
    'traffic',
    readingsOfAll(
      devicesOf('traffic').filter(
        (d) => d.district === district && d.id !== sensor.id,
      ),
      lastDay,
      new Date(YEAR_TO),
    ),
  );
  console.log(
    `stored a year of rollups for district ${district} and sensor ${sensor.id} (${fmt(filled)} documents), ` +
      `${fmt(sensorRaw)} raw readings of the sensor's year and ${fmt(districtRaw)} of the district's last day, in ${((performance.now() - tFill) / 1000).toFixed(1)} s`,
  );

  const RANGES = [
    { name: 'day', days: 1 },
    { name: 'week', days: 7 },
    { name: 'month', days: 30 },
    { name: 'year', days: 365 },
  ] as const;
  const queries: {
    scope: RollupScope;
    key: string;
    range: string;
    resolution: Resolution;
    source: TrendSource;
    buckets: number;
    ms: number;
    dbCpuMs: number;
    runs: number;
  }[] = [];
  for (const scope of ['district', 'device'] as const)
    for (const r of RANGES)
      for (const source of ['ROLLUPS', 'RAW'] as const) {
        // The district's raw readings are stored for its last day only.
        if (scope === 'district' && source === 'RAW' && r.days > 1) continue;
        const range = {
          from: new Date(YEAR_TO - r.days * DAY_MS),
          to: new Date(YEAR_TO),
        };
        const resolution = chooseResolution(range);
        const key = scope === 'district' ? district : sensor.id;
        const ask = () =>
          readTrends({
            connection: connectionOf('traffic'),
            series: series.traffic,
            scope,
            keys: [key],
            range,
            resolution,
            source,
            now: new Date(YEAR_TO),
          });
        // Raw reads of a month or a year take seconds to minutes: once, without warm-up.
        const long = source === 'RAW' && r.days > 7;
        if (!long) await ask(); // warm-up
        const ms: number[] = [];
        const cpu: number[] = [];
        let buckets = 0;
        for (let i = 0; i < (long ? 1 : RUNS); i++) {
          const done = cpuCounter();
          const trends = await ask();
          const cost = done();
          ms.push(cost.wallMs);
          cpu.push(cost.dbCpuMs);
          buckets = trends.get(key)?.buckets.length ?? 0;
        }
        queries.push({
          scope,
          key,
          range: r.name,
          resolution,
          source,
          buckets,
          ms: median(ms),
          dbCpuMs: median(cpu),
          runs: ms.length,
        });
      }

  // -------------------------------------------------------------------------
  // Report.
  const total = (f: (s: (typeof storage)[number]) => number) =>
    storage.reduce((a, s) => a + f(s), 0);
  console.log('\nStorage per day (uncompressed BSON, indexes not counted):');
  console.log(
    'collection                  sensors  readings/day  raw MiB  keys MiB  15m MiB  1h MiB  1d MiB',
  );
  for (const s of storage)
    console.log(
      `${s.collection.padEnd(27)} ${fmt(s.sensors).padStart(7)} ${fmt(s.readingsPerDay).padStart(13)} ${fmt(mib(s.rawBytesPerDay), 1).padStart(8)} ${fmt(mib(s.ledgerBytesPerDay), 1).padStart(9)} ${fmt(mib(s.rollupBytesPerDay['15m']), 2).padStart(8)} ${fmt(mib(s.rollupBytesPerDay['1h']), 2).padStart(7)} ${fmt(mib(s.rollupBytesPerDay['1d']), 3).padStart(7)}`,
    );
  const rawDay = total((s) => s.rawBytesPerDay);
  const ledgerDay = total((s) => s.ledgerBytesPerDay);
  const rollupDay = Object.fromEntries(
    RESOLUTIONS.map((r) => [r, total((s) => s.rollupBytesPerDay[r])]),
  ) as Record<Resolution, number>;
  console.log(
    `${'all'.padEnd(27)} ${fmt(SENSORS).padStart(7)} ${fmt(total((s) => s.readingsPerDay)).padStart(13)} ${fmt(mib(rawDay), 1).padStart(8)} ${fmt(mib(ledgerDay), 1).padStart(9)} ${fmt(mib(rollupDay['15m']), 2).padStart(8)} ${fmt(mib(rollupDay['1h']), 2).padStart(7)} ${fmt(mib(rollupDay['1d']), 3).padStart(7)}`,
  );
  const retained = {
    rawGiB: (rawDay * 90) / 1024 ** 3,
    ledgerGiB: (ledgerDay * 91) / 1024 ** 3,
    rollups15mGiB: (rollupDay['15m'] * 400) / 1024 ** 3,
    rollups1hGiB: (rollupDay['1h'] * 3650) / 1024 ** 3,
    rollups1dGiB: (rollupDay['1d'] * 3650) / 1024 ** 3,
  };
  console.log(
    `held at the default retention: raw ${retained.rawGiB.toFixed(1)} GiB (90 days), keys ${retained.ledgerGiB.toFixed(1)} GiB (91 days), ` +
      `rollups 15m ${retained.rollups15mGiB.toFixed(1)} GiB (400 days), 1h ${retained.rollups1hGiB.toFixed(1)} GiB and 1d ${retained.rollups1dGiB.toFixed(2)} GiB (10 years)`,
  );

  console.log(
    `\nRollup cost per 15-minute window, ${fmt(SENSORS)} sensors (real engine, localdb process):`,
  );
  for (const w of windowCosts)
    console.log(
      `  ${w.window}: ${fmt(w.wallMs)} ms wall, localdb ${fmt(w.dbCpuMs)} ms CPU, engine (this process) ${fmt(w.clientCpuMs)} ms CPU, ${fmt(w.documents)} documents written`,
    );
  const rollupCost = {
    wallMs: median(windowCosts.map((w) => w.wallMs)),
    dbCpuMs: median(windowCosts.map((w) => w.dbCpuMs)),
    clientCpuMs: median(windowCosts.map((w) => w.clientCpuMs)),
    documents: median(windowCosts.map((w) => w.documents)),
  };
  console.log(
    `  median: ${fmt(rollupCost.wallMs)} ms wall, ${fmt(rollupCost.dbCpuMs + rollupCost.clientCpuMs)} ms CPU per recompute of a full window`,
  );
  // While readings keep arriving in a window, ingest keeps marking it and each job pass
  // recomputes it: one pass every ROLLUP_INTERVAL_MS, or back to back when a pass takes longer.
  const { intervalMs } = loadConfig().rollups;
  const passes = Math.ceil(
    RESOLUTION_MS['15m'] / Math.max(intervalMs, rollupCost.wallMs),
  );
  const steadyCpuMs = passes * (rollupCost.dbCpuMs + rollupCost.clientCpuMs);
  console.log(
    `  while a window fills, up to ${passes} passes (ROLLUP_INTERVAL_MS ${intervalMs} ms, or back to back): ` +
      `up to ${fmt(steadyCpuMs / 1000)} CPU-s per 15 minutes of readings, ${fmt((steadyCpuMs / RESOLUTION_MS['15m']) * 100)} % of a core (upper bound: early passes see a partial window)`,
  );

  console.log('\nQuery cost per range (median of runs; localdb CPU):');
  console.log(
    'scope     range  resolution  source   buckets          ms   db CPU ms  runs',
  );
  for (const q of queries)
    console.log(
      `${q.scope.padEnd(9)} ${q.range.padEnd(6)} ${q.resolution.padEnd(11)} ${q.source.padEnd(8)} ${fmt(q.buckets).padStart(7)} ${fmt(q.ms, 1).padStart(11)} ${fmt(q.dbCpuMs, 1).padStart(11)} ${String(q.runs).padStart(5)}`,
    );

  const result = {
    node: process.version,
    sensors: SENSORS,
    mix: MIX,
    sampledDays: perDay.map((d) => d.day),
    storagePerDay: {
      note: 'uncompressed BSON of the documents; indexes not counted; MongoDB time-series buckets compress raw readings (column compression, zstd)',
      collections: storage,
      totals: {
        readings: total((s) => s.readingsPerDay),
        rawBytes: rawDay,
        ledgerBytes: ledgerDay,
        rollupBytes: rollupDay,
      },
      retained,
    },
    rollupCostPerWindow: {
      windows: windowCosts,
      median: rollupCost,
      steadyState: { intervalMs, passes, cpuMsPer15Minutes: steadyCpuMs },
    },
    queries,
  };
  if (flags.json !== undefined)
    await writeFile(flags.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  for (const connection of connections.values()) await connection.close();
  await db.stop();
}

/** A copy of rollup `doc` moved to the bucket starting at `start`. */
function shifted(doc: RollupDoc, start: number): RollupDoc {
  const delta = start - doc.start.getTime();
  return {
    ...doc,
    _id: `${doc.scope}|${doc.key}|${doc.resolution}|${new Date(start).toISOString()}`,
    start: new Date(start),
    end: new Date(doc.end.getTime() + delta),
    expiresAt: new Date(doc.expiresAt.getTime() + delta),
  };
}

/** Inserts `docs`, leaving out those whose `_id` is there already; resolves to the number inserted. */
async function insertNew(
  collection: {
    insertMany(
      docs: RollupDoc[],
      options: { ordered: false },
    ): Promise<{ insertedCount: number }>;
  },
  docs: RollupDoc[],
): Promise<number> {
  try {
    return (await collection.insertMany(docs, { ordered: false }))
      .insertedCount;
  } catch (error) {
    const e = error as {
      code?: number;
      insertedCount?: number;
      result?: { insertedCount?: number };
    };
    if (e.code !== 11000) throw error;
    return e.insertedCount ?? e.result?.insertedCount ?? 0;
  }
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
