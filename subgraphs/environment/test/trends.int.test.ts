import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { districtEntities } from '../../../lib/tooling/testing/districtEntities.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import { airQualityIndexOfPresent } from '../src/airQualityIndex.js';
import { createModels } from '../src/models/index.js';
import { createServer } from '../src/server.js';
import { generateEnvironmentSeed, seedEnvironment } from '../src/seed.js';

/**
 * Environment's trend fields and the water balance from rollups
 * (docs/trends.md), on the seeded history (4 days to 2026-11-23, its
 * rollups computed by the job's catch-up), checked against the seed's own
 * readings.
 */
describe('environment trends', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  const seed = generateEnvironmentSeed();

  beforeAll(async () => {
    db = await startTestDatabase('environment-trends');
    await seedEnvironment(createModels(db.connection));
    server = createServer({
      connection: db.connection,
      events: createRecordingEventPublisher(),
      logger: createSilentLogger(),
    });
    await server.apollo.start();
    // The seed marked its windows; the job's catch-up computes them.
    await server.rollups?.runOnce();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  /** The balance of a district over a range, summed from the seed's readings. */
  function rawBalance(district: string, from?: Date, to?: Date) {
    const readings = seed.water.filter(
      (r) =>
        r.device.district === district &&
        (!from || r.observedAt >= from) &&
        (!to || r.observedAt < to),
    );
    const sum = (role: string) =>
      readings
        .filter((r) => r.role === role)
        .reduce((total, r) => total + (r.consumption ?? 0), 0);
    const inflow = sum('INFLOW');
    const consumption = sum('CONSUMPTION');
    const loss = Math.max(0, inflow - consumption);
    return {
      inflow: Math.round(inflow * 100) / 100,
      consumption: Math.round(consumption * 100) / 100,
      lossRate: inflow > 0 ? Math.round((loss / inflow) * 1000) / 1000 : null,
      readingCount: readings.length,
    };
  }

  it('answers the water balance from rollups with the same results as the raw readings, whatever the range', async () => {
    const ranges: [string | undefined, string | undefined][] = [
      [undefined, undefined],
      ['2026-11-20T00:00:00Z', undefined],
      ['2026-11-19T06:00:00Z', '2026-11-22T18:00:00Z'],
      // Not aligned to 15 minutes: the cut windows' parts come from raw readings.
      ['2026-11-19T05:07:00Z', '2026-11-21T13:52:30Z'],
    ];
    for (const [from, to] of ranges) {
      const range = [
        from ? `from: "${from}"` : '',
        to ? `to: "${to}"` : '',
      ].join(' ');
      db.resetCommands();
      const result = await executeAs(
        server,
        `{ d: ${districtEntities(['13203', '13207'])} { ... on District { code waterBalance(range: { ${range} }) { inflow { value } consumption { value } lossRate readingCount } } } }`,
      );
      expect(result.errors).toBeUndefined();
      // Whole buckets from the rollups; raw readings only for a cut window.
      // One read per piece of the range (raw cut at each end, 15-minute
      // windows, hours, days, hours, 15-minute windows): at most seven.
      const commands = db.commands();
      expect(new Set(commands)).toEqual(
        new Set(
          from?.endsWith(':00:00Z') === false
            ? [
                'aggregate water_consumption_rollups',
                'aggregate water_consumption_observed',
              ]
            : ['aggregate water_consumption_rollups'],
        ),
      );
      expect(commands.length).toBeLessThanOrEqual(7);
      for (const d of result.data?.['d'] as {
        code: string;
        waterBalance: {
          inflow: { value: number };
          consumption: { value: number };
          lossRate: number | null;
          readingCount: number;
        };
      }[]) {
        const want = rawBalance(
          d.code,
          from ? new Date(from) : undefined,
          to ? new Date(to) : undefined,
        );
        expect(want.readingCount).toBeGreaterThan(0);
        expect(
          {
            inflow: d.waterBalance.inflow.value,
            consumption: d.waterBalance.consumption.value,
            lossRate: d.waterBalance.lossRate,
            readingCount: d.waterBalance.readingCount,
          },
          `${d.code} ${range}`,
        ).toEqual(want);
      }
    }
  });

  it('answers a water balance trend per day from daily rollups, one read for many districts', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      `{ d: ${districtEntities(['13203', '13207'])} { ... on District { code waterBalanceTrend(range: { from: "2026-10-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }, resolution: DAY) { resolution source reachesPastRawRetention buckets { start end inflow { value unit } lossRate readingCount } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(db.commands()).toEqual(['find water_consumption_rollups']);
    const [d] = result.data?.['d'] as {
      code: string;
      waterBalanceTrend: {
        resolution: string;
        source: string;
        buckets: {
          start: string;
          end: string;
          inflow: { value: number; unit: string };
          readingCount: number;
        }[];
      };
    }[];
    expect(d?.waterBalanceTrend).toMatchObject({
      resolution: 'DAY',
      source: 'ROLLUPS',
    });
    const buckets = d?.waterBalanceTrend.buckets ?? [];
    // Each UTC day holding readings (the last reading is stamped 00:00 on the 23rd).
    const days = new Set(
      seed.water
        .filter((r) => r.device.district === d?.code)
        .map((r) => `${r.observedAt.toISOString().slice(0, 10)}T00:00:00.000Z`),
    );
    expect(buckets.map((b) => b.start)).toEqual([...days].sort());
    for (const b of buckets) {
      const want = rawBalance(
        d?.code ?? '',
        new Date(b.start),
        new Date(b.end),
      );
      expect(b.inflow).toEqual({ value: want.inflow, unit: 'm3' });
      expect(b.readingCount).toBe(want.readingCount);
    }
  });

  it("answers a station's daily EAQI from the daily mean of each pollutant", async () => {
    const result = await executeAs(
      server,
      `{ airQualityStation(id: "env-aq-13201") { airQualityIndexTrend(range: { from: "2025-12-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }) { resolution source reachesPastRawRetention buckets { start readingCount no2 { value unit } pm10 { value } index { level band dominantPollutant } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const trend = (
      result.data?.['airQualityStation'] as {
        airQualityIndexTrend: {
          resolution: string;
          source: string;
          reachesPastRawRetention: boolean;
          buckets: {
            start: string;
            readingCount: number;
            no2: { value: number; unit: string } | null;
            index: { level: number; band: string } | null;
          }[];
        };
      }
    ).airQualityIndexTrend;
    // A year: daily buckets; a year back from now reaches past 90 days of raw readings.
    expect(trend).toMatchObject({
      resolution: 'DAY',
      source: 'ROLLUPS',
      reachesPastRawRetention: true,
    });
    expect(trend.buckets.length).toBeGreaterThanOrEqual(4);
    for (const bucket of trend.buckets) {
      const day = new Date(bucket.start).getTime();
      const readings = seed.airQuality.filter(
        (r) =>
          r.device.id === 'env-aq-13201' &&
          r.observedAt.getTime() >= day &&
          r.observedAt.getTime() < day + 86_400_000,
      );
      const mean = (pick: (r: (typeof readings)[number]) => number | null) => {
        const values = readings.flatMap((r) => {
          const v = pick(r);
          return v === null ? [] : [v];
        });
        return values.length === 0
          ? null
          : values.reduce((a, b) => a + b, 0) / values.length;
      };
      const means = {
        no2: mean((r) => r.no2),
        pm10: mean((r) => r.pm10),
        pm25: mean((r) => r.pm25),
        o3: mean((r) => r.o3),
      };
      expect(bucket.readingCount).toBe(readings.length);
      // Means are answered to 0.1 µg/m3.
      expect(
        Math.abs((bucket.no2?.value ?? NaN) - (means.no2 ?? NaN)),
      ).toBeLessThanOrEqual(0.0501);
      expect(bucket.index).toMatchObject(airQualityIndexOfPresent(means) ?? {});
    }
  });

  it('marks what ingest stores, and the job brings it into the trend', async () => {
    const station = seed.stations.find((st) => st._id === 'env-aq-13201');
    if (!station || !server.ingest || !server.rollups)
      throw new Error('no station, ingest or rollups');
    const observedAt = new Date(Date.now() - 10 * 60_000);
    const [outcome] = await server.ingest.ingest({
      format: 'ngsi-v2',
      entities: [
        {
          id: `trend-test-${observedAt.toISOString()}`,
          type: 'AirQualityObserved',
          refDevice: {
            type: 'Relationship',
            value: 'urn:ngsi-ld:Device:env-aq-13201',
          },
          dateObserved: { type: 'DateTime', value: observedAt.toISOString() },
          no2: { type: 'Number', value: 69 },
          location: {
            type: 'geo:json',
            value: {
              type: 'Point',
              coordinates: [station.location.lon, station.location.lat],
            },
          },
        },
      ],
      source: { kind: 'partner', id: 'trend-test' },
      receivedAt: new Date(),
    });
    expect(outcome?.status).toBe('created');
    const pending = db.connection.collection('rollup_pending');
    expect(
      await pending.countDocuments({ collection: 'air_quality_observed' }),
    ).toBe(1);
    const report = await server.rollups.runOnce();
    expect(report).toMatchObject({ windows: 1, hours: 1, days: 1 });
    expect(await pending.countDocuments()).toBe(0);
    const from = new Date(observedAt.getTime() - 3600_000).toISOString();
    const to = new Date(observedAt.getTime() + 3600_000).toISOString();
    const result = await executeAs(
      server,
      `{ airQualityStation(id: "env-aq-13201") { airQualityIndexTrend(range: { from: "${from}", to: "${to}" }) { resolution reachesPastRawRetention buckets { readingCount no2 { value } index { band } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['airQualityStation']).toEqual({
      airQualityIndexTrend: {
        resolution: 'FIFTEEN_MINUTES',
        reachesPastRawRetention: false,
        buckets: [
          { readingCount: 1, no2: { value: 69 }, index: { band: 'FAIR' } },
        ],
      },
    });
  });

  it('refuses a range without an end, backwards, or too long for its resolution, as BAD_USER_INPUT', async () => {
    const cases = [
      ['{ from: "2026-11-20T00:00:00Z" }', 'HOUR', /both ends/],
      [
        '{ from: "2026-11-21T00:00:00Z", to: "2026-11-20T00:00:00Z" }',
        'HOUR',
        /"from" must be before "to"/,
      ],
      [
        '{ from: "2026-11-01T00:00:00Z", to: "2026-11-09T00:00:00Z" }',
        'FIFTEEN_MINUTES',
        /at most 7 days/,
      ],
    ] as const;
    for (const [range, resolution, message] of cases) {
      db.resetCommands();
      const result = await executeAs(
        server,
        `{ d: ${districtEntities(['13203'])} { ... on District { waterBalanceTrend(range: ${range}, resolution: ${resolution}) { resolution } } } }`,
      );
      expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(message);
      expect(db.commands()).toEqual([]);
    }
  });
});
