/**
 * `npm run bench:scale`: the city's trend questions through the gateway over a year of history
 * (docs/scale.md, "bench:scale"). Not a timed test: it prints figures, recorded in docs/scale.md.
 *
 *   npm run bench:scale -- [--history-days 365] [--tail-days 2] [--hourly-device-days 31]
 *                          [--requests 200] [--warmup 20] [--json out.json]
 *
 * The seeded city (scripts/bench/startSeededCity.ts: embedded localdb per department, five
 * subgraphs and the gateway as processes), then a year of synthetic history at today's sensor
 * counts and cadences (the seeded 144 traffic sensors every 15 minutes, 24 air-quality and noise
 * stations and 48 water meters hourly; scripts/bench/syntheticReadings.ts):
 *   - the retained tail: the raw readings of the last `--tail-days` days (the days of raw
 *     retention sampled: 90 by default, the most recent ones stored), and their rollups
 *     computed by the real engine (lib/subgraph-kit/recomputeRollups.ts);
 *   - before it, back to `--history-days`: the rollups the engine made of the tail's first whole
 *     day, cloned onto every earlier day: daily rollups of every device and district, hourly ones
 *     of every district, and of every device for the last `--hourly-device-days` days (what the
 *     trend fields read; a device's hourly history beyond it is what a production year adds in
 *     volume, not in what these questions touch).
 * Then, one client at a time, each question `--requests` times after `--warmup` (keys and ranges
 * rotating): a district's hourly congestion for a month, a station's daily air-quality index for a
 * year, a district's water balance for a year; p50/p95/p99 (goal: p95 < 100 ms).
 */
import { parseArgs } from 'node:util';
import type { Connection } from 'mongoose';
import { readDevServices } from '../lib/runtime/devServices.js';
import { connectDatabase } from '../lib/runtime/mongo.js';
import { recomputeWindows } from '../lib/subgraph-kit/recomputeRollups.js';
import {
  rollupCollection,
  type RollupDoc,
  type RollupSeries,
} from '../lib/subgraph-kit/rollups.js';
import { RESOLUTION_MS, floorTo } from '../lib/subgraph-kit/rollupWindows.js';
import { rollupSeriesOf, shapedFor } from './bench/citySeries.js';
import { percentile, startSeededCity } from './bench/startSeededCity.js';
import { writeJsonResult } from './bench/writeJsonResult.js';
import {
  READING_KINDS,
  devicesFrom,
  readingsBetween,
  type ReadingKind,
  type SyntheticDevice,
  type SyntheticReading,
} from './bench/syntheticReadings.js';

const { values: flags } = parseArgs({
  options: {
    'history-days': { type: 'string', default: '365' },
    'tail-days': { type: 'string', default: '2' },
    'hourly-device-days': { type: 'string', default: '31' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});
const positive = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return n;
};
const HISTORY_DAYS = positive('history-days', flags['history-days']);
const TAIL_DAYS = Math.min(
  positive('tail-days', flags['tail-days']),
  HISTORY_DAYS,
);
const HOURLY_DEVICE_DAYS = positive(
  'hourly-device-days',
  flags['hourly-device-days'],
);
const REQUESTS = positive('requests', flags.requests);
const WARMUP = positive('warmup', flags.warmup);
const DAY_MS = 86_400_000;
const KINDS: readonly ReadingKind[] = ['traffic', 'air', 'noise', 'water'];
/** Today's cadences: the seed's (a traffic reading every 15 minutes, the others hourly). */
const EVERY_SECONDS: Readonly<Record<ReadingKind, number>> = {
  traffic: 900,
  air: 3600,
  noise: 3600,
  water: 3600,
};

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });

interface GraphQLAnswer {
  data?: Record<string, unknown>;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql(url: string, query: string): Promise<GraphQLAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as GraphQLAnswer;
  if (!res.ok || body.errors !== undefined)
    throw new Error(
      `query failed (${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`,
    );
  return body;
}

/** Inserts `docs`, leaving out those whose `_id` is there already; resolves to the number inserted. */
async function insertNew<T extends { _id: string }>(
  collection: {
    insertMany(
      docs: T[],
      options: { ordered: false },
    ): Promise<{ insertedCount: number }>;
  },
  docs: T[],
): Promise<number> {
  if (docs.length === 0) return 0;
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

/** A copy of rollup `doc` moved back by `days` days. */
function daysEarlier(doc: RollupDoc, days: number): RollupDoc {
  const delta = -days * DAY_MS;
  const start = new Date(doc.start.getTime() + delta);
  return {
    ...doc,
    _id: `${doc.scope}|${doc.key}|${doc.resolution}|${start.toISOString()}`,
    start,
    end: new Date(doc.end.getTime() + delta),
    expiresAt: new Date(doc.expiresAt.getTime() + delta),
  };
}

const city = await startSeededCity();
const connections: Connection[] = [];
try {
  const uris = await readDevServices(city.dataDir);
  const connect = async (name: 'mobility' | 'environment') => {
    const connection = await connectDatabase({
      uri: uris[name] ?? '',
      dbName: name,
      monitorCommands: false,
    });
    connections.push(connection);
    return connection;
  };
  const database = {
    mobility: await connect('mobility'),
    environment: await connect('environment'),
  };
  const connectionOf = (kind: ReadingKind) =>
    database[READING_KINDS[kind].database];
  const series = Object.fromEntries(
    KINDS.map((k) => [k, rollupSeriesOf(READING_KINDS[k].collection)]),
  ) as Record<ReadingKind, RollupSeries>;

  // Today's devices, as the departments hold them.
  const listOf = async (
    connection: Connection,
    collection: string,
  ): Promise<{ id: string; district: string; role?: string }[]> =>
    (
      await connection
        .collection(collection)
        .find({}, { projection: { _id: 1, district: 1, role: 1 } })
        .sort({ _id: 1 })
        .toArray()
    ).map((d) => ({
      id: String(d['_id']),
      district: String(d['district']),
      ...(typeof d['role'] === 'string' ? { role: d['role'] } : {}),
    }));
  const sensors = await listOf(database.mobility, 'traffic_sensors');
  const stations = await listOf(database.environment, 'air_quality_stations');
  const meters = await listOf(database.environment, 'water_meters');
  const devices: Record<ReadingKind, SyntheticDevice[]> = {
    traffic: devicesFrom('traffic', sensors, EVERY_SECONDS.traffic, 0),
    air: devicesFrom('air', stations, EVERY_SECONDS.air, 1000),
    noise: devicesFrom('noise', stations, EVERY_SECONDS.noise, 2000),
    water: devicesFrom('water', meters, EVERY_SECONDS.water, 3000),
  };
  const districts = [...new Set(sensors.map((s) => s.district))].sort();
  console.log(
    `node ${process.version}; city started and seeded in ${city.startSeconds.toFixed(1)} s; ` +
      `${sensors.length} traffic sensors, ${stations.length} air-quality and noise stations, ${meters.length} water meters; ` +
      `history ${HISTORY_DAYS} days (raw for the last ${TAIL_DAYS}), hourly device rollups for ${HOURLY_DEVICE_DAYS} days`,
  );

  // The retained tail: raw readings, and their rollups by the real engine.
  const now = floorTo(new Date(), '15m');
  const tailFrom = new Date(floorTo(now, '1d').getTime() - TAIL_DAYS * DAY_MS);
  const tWrite = performance.now();
  let rawCount = 0;
  let tailRollups = 0;
  for (const kind of KINDS) {
    const raw = connectionOf(kind).collection<SyntheticReading>(
      READING_KINDS[kind].collection,
    );
    for (let day = tailFrom.getTime(); day < now.getTime(); day += DAY_MS) {
      const to = new Date(Math.min(day + DAY_MS, now.getTime()));
      const readings: SyntheticReading[] = [];
      for (const device of devices[kind])
        for (const reading of readingsBetween(device, new Date(day), to))
          readings.push(shapedFor(series[kind], reading));
      rawCount += await insertNew(raw, readings);
      const windows: Date[] = [];
      for (let w = day; w < to.getTime(); w += RESOLUTION_MS['15m'])
        windows.push(new Date(w));
      tailRollups += (
        await recomputeWindows(
          { connection: connectionOf(kind), series: series[kind] },
          windows,
        )
      ).documents;
    }
  }
  console.log(
    `raw tail: ${fmt(rawCount)} readings and ${fmt(tailRollups)} rollup documents in ${((performance.now() - tWrite) / 1000).toFixed(1)} s`,
  );

  // Before the tail: the first tail day's rollups, cloned day by day.
  const tClone = performance.now();
  let cloned = 0;
  for (const kind of KINDS) {
    const rollups = rollupCollection(connectionOf(kind), series[kind]);
    const template = (await rollups
      .find({
        start: {
          $gte: tailFrom,
          $lt: new Date(tailFrom.getTime() + DAY_MS),
        },
        resolution: { $in: ['1h', '1d'] },
      })
      .toArray()) as RollupDoc[];
    let batch: RollupDoc[] = [];
    for (let age = 1; age <= HISTORY_DAYS - TAIL_DAYS; age++) {
      const ageOfTailStart = TAIL_DAYS + age;
      for (const doc of template) {
        if (
          doc.resolution === '1h' &&
          doc.scope === 'device' &&
          ageOfTailStart > HOURLY_DEVICE_DAYS
        )
          continue;
        batch.push(daysEarlier(doc, age));
        if (batch.length === 5000) {
          cloned += await insertNew(rollups, batch);
          batch = [];
        }
      }
    }
    cloned += await insertNew(rollups, batch);
  }
  console.log(
    `history: ${fmt(cloned)} rollup documents cloned in ${((performance.now() - tClone) / 1000).toFixed(1)} s`,
  );

  // The three questions, keys and ranges rotating.
  // Months ending 0, 30, 60... days ago, as far back as the history goes (11 at most).
  const months = Math.max(1, Math.min(11, Math.floor(HISTORY_DAYS / 30)));
  const month = (i: number) => {
    const to = new Date(
      floorTo(now, '1d').getTime() - (i % months) * 30 * DAY_MS,
    );
    return { from: new Date(to.getTime() - 30 * DAY_MS), to };
  };
  const year = { from: new Date(now.getTime() - 365 * DAY_MS), to: now };
  const iso = (d: Date) => d.toISOString();
  const trendFields = 'resolution source reachesPastRawRetention';
  const questions = [
    {
      name: 'district hourly congestion, a month',
      query: (i: number) => {
        const r = month(i);
        return /* GraphQL */ `{ district(code: "${districts[i % districts.length] ?? '13201'}") {
          congestionTrend(range: { from: "${iso(r.from)}", to: "${iso(r.to)}" }) {
            ${trendFields} buckets { start readingCount averageOccupancy maxOccupancy }
          } } }`;
      },
      check: (data: Record<string, unknown>) =>
        (data['district'] as { congestionTrend: Trendish }).congestionTrend,
    },
    {
      name: 'station daily AQI, a year',
      query: (
        i: number,
      ) => /* GraphQL */ `{ airQualityStation(id: "${stations[i % stations.length]?.id ?? ''}") {
          airQualityIndexTrend(range: { from: "${iso(year.from)}", to: "${iso(year.to)}" }) {
            ${trendFields} buckets { start readingCount no2 { value } pm10 { value } index { level band } }
          } } }`,
      check: (data: Record<string, unknown>) =>
        (data['airQualityStation'] as { airQualityIndexTrend: Trendish })
          .airQualityIndexTrend,
    },
    {
      name: 'district water balance, a year',
      query: (
        i: number,
      ) => /* GraphQL */ `{ district(code: "${districts[i % districts.length] ?? '13201'}") {
          waterBalance(range: { from: "${iso(year.from)}", to: "${iso(year.to)}" }) {
            inflow { value } consumption { value } lossRate readingCount
          }
          waterBalanceTrend(range: { from: "${iso(year.from)}", to: "${iso(year.to)}" }) {
            ${trendFields} buckets { start inflow { value } loss { value } lossRate }
          } } }`,
      check: (data: Record<string, unknown>) =>
        (data['district'] as { waterBalanceTrend: Trendish }).waterBalanceTrend,
    },
  ];
  const results: {
    question: string;
    requests: number;
    resolution: string;
    source: string;
    buckets: number;
    ms: { p50: number; p95: number; p99: number };
  }[] = [];
  for (const q of questions) {
    for (let i = 0; i < WARMUP; i++) await graphql(city.graphqlUrl, q.query(i));
    const times: number[] = [];
    let last: Trendish | undefined;
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const answer = await graphql(city.graphqlUrl, q.query(i));
      times.push(performance.now() - t0);
      last = q.check(answer.data ?? {});
    }
    times.sort((a, b) => a - b);
    results.push({
      question: q.name,
      requests: REQUESTS,
      resolution: last?.resolution ?? '?',
      source: last?.source ?? '?',
      buckets: last?.buckets.length ?? 0,
      ms: {
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
      },
    });
  }

  console.log(
    '\nquestion                               resolution  source   buckets    p50 ms   p95 ms   p99 ms',
  );
  for (const r of results)
    console.log(
      `${r.question.padEnd(38)} ${r.resolution.padEnd(11)} ${r.source.padEnd(8)} ${fmt(r.buckets).padStart(7)} ${fmt(r.ms.p50, 1).padStart(9)} ${fmt(r.ms.p95, 1).padStart(8)} ${fmt(r.ms.p99, 1).padStart(8)}`,
    );
  const worst = Math.max(...results.map((r) => r.ms.p95));
  console.log(
    `goal p95 < 100 ms: ${worst < 100 ? 'met' : 'NOT met'} (worst p95 ${fmt(worst, 1)} ms)`,
  );
  if (flags.json !== undefined)
    await writeJsonResult(flags.json, {
      node: process.version,
      historyDays: HISTORY_DAYS,
      tailDays: TAIL_DAYS,
      hourlyDeviceDays: HOURLY_DEVICE_DAYS,
      devices: {
        traffic: sensors.length,
        airQualityAndNoise: stations.length,
        water: meters.length,
      },
      rawTailReadings: rawCount,
      rollupDocuments: { tail: tailRollups, cloned },
      results,
    });
} finally {
  for (const connection of connections) await connection.close();
  await city.stop();
}

interface Trendish {
  resolution: string;
  source: string;
  buckets: unknown[];
}
