import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { districtEntities } from '../../../lib/tooling/testing/districtEntities.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { congestionLevel } from '../src/analysis/congestionWindow.js';
import { createModels } from '../src/models/index.js';
import { rebuildRollups } from '../../../lib/subgraph-kit/recomputeRollups.js';
import { seedReadings, upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { TRAFFIC_FLOW_ROLLUPS } from '../src/analysis/congestionTrend.js';
import { generateMobilitySeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

interface Bucket {
  start: string;
  end: string;
  readingCount: number;
  averageOccupancy: number | null;
  averageSpeed: { value: number; unit: string } | null;
  averageIntensity: { value: number; unit: string } | null;
  congestedShare: number | null;
  level: string;
}

const FIELDS =
  'resolution source reachesPastRawRetention buckets { start end readingCount averageOccupancy averageSpeed { value unit } averageIntensity { value unit } congestedShare level }';

/**
 * District.congestionTrend (docs/trends.md) on district 13201's seeded
 * history (rollups rebuilt at once), checked against the seed's own readings, and fed by
 * ingest through the rollup job.
 */
describe('District.congestionTrend', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  const seed = generateMobilitySeed();

  beforeAll(async () => {
    db = await startTestDatabase('mobility-congestion-trend');
    // District 13201's part of the seed (the whole seed takes half a minute
    // to store), and its rollups computed at once.
    const models = createModels(db.connection);
    await upsertAll(
      models.TrafficSensor,
      seed.sensors.filter((s) => s.district === '13201'),
    );
    await seedReadings(
      {
        readings: models.TrafficFlowReading,
        keys: models.ReadingKey,
        logger: createSilentLogger(),
      },
      seed.readings.filter((r) => r.device.district === '13201'),
    );
    await rebuildRollups({
      connection: db.connection,
      series: [TRAFFIC_FLOW_ROLLUPS],
    });
    server = createServer({
      connection: db.connection,
      events: createRecordingEventPublisher(),
      logger: createSilentLogger(),
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  const trend = async (district: string, args: string) => {
    const result = await executeAs(
      server,
      `{ d: ${districtEntities([district])} { ... on District { congestionTrend(${args}) { ${FIELDS} } } } }`,
    );
    return {
      errors: result.errors,
      trend: ((
        result.data?.['d'] as { congestionTrend: unknown }[] | undefined
      )?.[0]?.congestionTrend ?? null) as {
        resolution: string;
        source: string;
        reachesPastRawRetention: boolean;
        buckets: Bucket[];
      } | null,
    };
  };

  it('answers a month per hour from the hourly rollups, equal to the seeded readings', async () => {
    db.resetCommands();
    const { errors, trend: t } = await trend(
      '13201',
      'range: { from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }',
    );
    expect(errors).toBeUndefined();
    expect(db.commands()).toEqual(['find traffic_flow_rollups']);
    expect(t).toMatchObject({
      resolution: 'HOUR',
      source: 'ROLLUPS',
    });
    const readings = seed.readings.filter((r) => r.device.district === '13201');
    const hours = new Map<number, typeof readings>();
    for (const r of readings) {
      const hour = Math.floor(r.observedAt.getTime() / 3_600_000) * 3_600_000;
      hours.set(hour, [...(hours.get(hour) ?? []), r]);
    }
    expect(t?.buckets.length).toBe(hours.size);
    const mean = (values: (number | null)[]) => {
      const known = values.filter((v): v is number => v !== null);
      return known.length === 0
        ? null
        : known.reduce((a, b) => a + b, 0) / known.length;
    };
    for (const bucket of t?.buckets ?? []) {
      const inHour = hours.get(new Date(bucket.start).getTime()) ?? [];
      const occupancy = mean(inHour.map((r) => r.occupancy));
      expect(bucket.readingCount).toBe(inHour.length);
      expect(bucket.end).toBe(
        new Date(new Date(bucket.start).getTime() + 3_600_000).toISOString(),
      );
      // Occupancy and shares are answered to 0.001.
      const near = (a: number | null, b: number | null) =>
        expect(Math.abs((a ?? NaN) - (b ?? NaN))).toBeLessThanOrEqual(0.00051);
      near(bucket.averageOccupancy, occupancy);
      // Speeds are answered to 0.1 km/h.
      expect(
        Math.abs(
          (bucket.averageSpeed?.value ?? NaN) -
            (mean(inHour.map((r) => r.averageSpeed)) ?? NaN),
        ),
      ).toBeLessThanOrEqual(0.0501);
      expect(bucket.averageSpeed?.unit).toBe('km/h');
      expect(bucket.averageIntensity?.unit).toBe('vehicles/h');
      near(
        bucket.congestedShare,
        mean(
          inHour.map((r) =>
            r.congested === null ? null : r.congested ? 1 : 0,
          ),
        ),
      );
      expect(bucket.level).toBe(congestionLevel(occupancy));
    }
  });

  it('answers 15-minute buckets when asked or for up to 2 days, and refuses them over more than 7 days', async () => {
    const day = await trend(
      '13201',
      'range: { from: "2026-11-21T00:00:00Z", to: "2026-11-22T00:00:00Z" }',
    );
    expect(day.errors).toBeUndefined();
    expect(day.trend?.resolution).toBe('FIFTEEN_MINUTES');
    expect(day.trend?.buckets[0]?.start).toBe('2026-11-21T00:00:00.000Z');

    db.resetCommands();
    const tooLong = await trend(
      '13201',
      'range: { from: "2026-11-01T00:00:00Z", to: "2026-11-20T00:00:00Z" }, resolution: FIFTEEN_MINUTES',
    );
    expect(tooLong.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/at most 7 days/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const backwards = await trend(
      '13201',
      'range: { from: "2026-11-20T00:00:00Z", to: "2026-11-01T00:00:00Z" }',
    );
    expect(backwards.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(db.commands()).toEqual([]);
  });

  it('counts a late reading, ingested and recomputed by the job, in its 15 minutes, hour and day', async () => {
    const pipeline = server.ingest;
    const job = server.rollups;
    if (!pipeline || !job) throw new Error('no ingest or rollups');
    const hour = '2026-11-21T08:00:00.000Z';
    const before = await trend(
      '13201',
      'range: { from: "2026-11-21T00:00:00Z", to: "2026-11-22T00:00:00Z" }, resolution: HOUR',
    );
    const held = before.trend?.buckets.find((b) => b.start === hour);
    expect(held?.readingCount).toBeGreaterThan(0);
    // A reading of that hour, days late, through ingest.
    const to = new Date('2026-11-21T08:07:00Z');
    const from = new Date('2026-11-21T08:02:00Z');
    const [outcome] = await pipeline.ingest({
      format: 'ngsi-ld',
      entities: [
        {
          id: `urn:ngsi-ld:TrafficFlowObserved:late-${to.toISOString()}`,
          type: 'TrafficFlowObserved',
          refDevice: {
            type: 'Relationship',
            object: 'urn:ngsi-ld:Device:mob-ts-13201-01',
          },
          dateObserved: {
            type: 'Property',
            value: {
              '@type': 'DateTime',
              '@value': `${from.toISOString()}/${to.toISOString()}`,
            },
          },
          intensity: { type: 'Property', value: 50 },
          occupancy: { type: 'Property', value: 0.95 },
        },
      ],
      source: { kind: 'partner', id: 'trend-test' },
      receivedAt: new Date(),
    });
    expect(outcome?.status).toBe('created');
    const report = await job.runOnce();
    expect(report).toMatchObject({ windows: 1, hours: 1, days: 1 });
    const after = await trend(
      '13201',
      'range: { from: "2026-11-21T00:00:00Z", to: "2026-11-22T00:00:00Z" }, resolution: HOUR',
    );
    const changed = after.trend?.buckets.filter(
      (b, i) => JSON.stringify(b) !== JSON.stringify(before.trend?.buckets[i]),
    );
    expect(changed?.map((b) => b.start)).toEqual([hour]);
    expect(changed?.[0]?.readingCount).toBe((held?.readingCount ?? 0) + 1);
    const days = await trend(
      '13201',
      'range: { from: "2026-11-21T00:00:00Z", to: "2026-11-22T00:00:00Z" }, resolution: DAY',
    );
    const readingsOfDay = seed.readings.filter(
      (r) =>
        r.device.district === '13201' &&
        r.observedAt >= new Date('2026-11-21T00:00:00Z') &&
        r.observedAt < new Date('2026-11-22T00:00:00Z'),
    ).length;
    expect(days.trend?.buckets.map((b) => b.readingCount)).toEqual([
      readingsOfDay + 1,
    ]);
  });
});
