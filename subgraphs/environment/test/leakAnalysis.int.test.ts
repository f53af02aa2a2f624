import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import { seedReadings, upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createLeakAnalysis } from '../src/analysis/leakAnalysis.js';
import { nightFlow, nightWindow } from '../src/analysis/nightFlow.js';
import { createModels, type EnvironmentModels } from '../src/models/index.js';
import { generateEnvironmentSeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const METER = 'env-wm-13207-1';
const staff = createViewer('env-agent-42', ['environment:staff']);

describe('environment live leak detection', () => {
  let db: TestDatabase;
  let models: EnvironmentModels;
  let server: ReturnType<typeof createServer>;
  const ingested: CityEvent[] = [];
  const seed = generateEnvironmentSeed();
  const seeded = seed.water.filter((r) => r.device.id === METER);
  const last = seeded.at(-1);
  if (!last?.meterIndex) throw new Error('no seeded meter');
  // The seed's quietest night: what a normal night of this meter looks like.
  const normal = nightFlow(seeded, nightWindow('2026-11-22')).minimumFlow ?? 0;
  let index = last.meterIndex;

  beforeAll(async () => {
    db = await startTestDatabase('environment-leak-analysis-test');
    models = createModels(db.connection);
    await upsertAll(models.WaterMeter, seed.meters);
    await seedReadings(
      {
        readings: models.WaterConsumptionObserved,
        keys: models.ReadingKey,
        logger: createSilentLogger(),
      },
      seeded,
    );
    await models.WaterLeakAlert.init();
    server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events: {
        async publish(events) {
          ingested.push(...events);
        },
      },
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  /** Ingests hourly NGSI-v2 readings of the meter ending at each `hours` (UTC, on 23 November) with `flow` m3/h. */
  const ingestHours = async (hours: readonly number[], flow: number) => {
    if (!server.ingest) throw new Error('environment has no ingest pipeline');
    const before = ingested.length;
    const outcomes = await server.ingest.ingest({
      format: 'ngsi-v2',
      entities: hours.map((h) => {
        index += flow;
        const at = new Date(Date.UTC(2026, 10, 23, h));
        return {
          id: `WaterConsumptionObserved-${METER}-${at.getTime()}`,
          type: 'WaterConsumptionObserved',
          refDevice: { type: 'Relationship', value: METER },
          dateObserved: { type: 'DateTime', value: at.toISOString() },
          waterConsumption: {
            type: 'Number',
            value: index,
            metadata: { unitCode: { value: 'MTQ' } },
          },
        };
      }),
      source: { kind: 'partner', id: 'eaux-test' },
      receivedAt: new Date('2026-11-23T06:00:00Z'),
    });
    expect(outcomes.map((o) => o.status)).toEqual(hours.map(() => 'created'));
    return ingested.slice(before);
  };

  it('stays quiet until the night is complete, then raises one alert that answers with its night, readings and baseline', async () => {
    const events = createRecordingEventPublisher();
    const analysis = createLeakAnalysis({
      models,
      events,
      logger: createSilentLogger(),
    });
    // 01:00 and 02:00 UTC (02:00 and 03:00 in Marseille): a third of the night.
    await analysis.handle(await ingestHours([1, 2], normal + 60));
    expect(events.published).toEqual([]);
    await analysis.handle(await ingestHours([3, 4], normal + 60));

    const id = `env-leak-13207-1-20261123`;
    expect(events.published).toEqual([
      {
        id: `leakAlert.raised:${id}`,
        department: 'environment',
        type: 'leakAlert.raised',
        entity: { type: 'WaterLeakAlert', id },
        district: '13207',
        occurredAt: new Date('2026-11-23T04:00:00.000Z'),
        payload: expect.objectContaining({ meterId: METER }) as unknown,
      },
    ]);
    const result = await executeAs(
      server,
      `{ waterLeakAlert(id: "${id}") { id status severity detectedAt estimatedLoss { value unit } meter { id } district { code } detection { rule from to minimumNightFlow { value unit } baseline { value } baselineNights readings { id flow { value } } } } }`,
      {},
      staff,
    );
    expect(result.errors).toBeUndefined();
    const alert = result.data?.['waterLeakAlert'] as {
      estimatedLoss: { value: number };
      detection: {
        baseline: { value: number };
        minimumNightFlow: { value: number };
      };
    };
    expect(alert).toMatchObject({
      id,
      status: 'OPEN',
      severity: 'HIGH',
      detectedAt: '2026-11-23T04:00:00.000Z',
      meter: { id: METER },
      district: { code: '13207' },
      detection: {
        rule: 'MINIMUM_NIGHT_FLOW',
        from: '2026-11-23T01:00:00.000Z',
        to: '2026-11-23T04:00:00.000Z',
        minimumNightFlow: {
          value: Math.round((normal + 60) * 100) / 100,
          unit: 'm3/h',
        },
        baselineNights: 4,
        readings: [2, 3, 4].map((h) => ({
          id: `${METER}@2026-11-23T0${h}:00:00.000Z`,
          flow: { value: Math.round((normal + 60) * 100) / 100 },
        })),
      },
    });
    expect(alert.detection.baseline.value).toBeLessThanOrEqual(normal + 0.01);
    expect(alert.estimatedLoss.value).toBeCloseTo(
      alert.detection.minimumNightFlow.value - alert.detection.baseline.value,
      1,
    );
  });

  it('judges the same night again (a late reading, another replica) without a second alert', async () => {
    const events = createRecordingEventPublisher();
    const analysis = createLeakAnalysis({
      models,
      events,
      logger: createSilentLogger(),
    });
    await models.WaterLeakAlert.updateOne(
      { _id: 'env-leak-13207-1-20261123' },
      { $set: { status: 'ACKNOWLEDGED', acknowledgedAt: new Date() } },
    );
    await analysis.handle(ingested.filter((e) => e.entity.id === METER));
    const alerts = await models.WaterLeakAlert.find({ meterId: METER }).lean();
    expect(alerts.map((a) => [a._id, a.status])).toEqual([
      ['env-leak-13207-1-20261123', 'ACKNOWLEDGED'],
    ]);
    // The same event id as the first time: consumers drop it as a repeat.
    expect(events.published.map((e) => e.id)).toEqual([
      'leakAlert.raised:env-leak-13207-1-20261123',
    ]);
  });

  it('ignores readings outside the night and other entities', async () => {
    const events = createRecordingEventPublisher();
    const analysis = createLeakAnalysis({
      models,
      events,
      logger: createSilentLogger(),
    });
    await analysis.handle([
      ...(await ingestHours([5], normal + 500)),
      {
        id: 'x',
        department: 'environment',
        type: 'reading.received',
        entity: { type: 'AirQualityStation', id: 'env-aq-13207' },
        district: '13207',
        occurredAt: new Date('2026-11-23T03:00:00Z'),
        payload: {},
      },
    ]);
    expect(events.published).toEqual([]);
  });

  it('finds the seed`s alerts with the same detector (no alert is seeded by hand)', () => {
    expect(seed.alerts.length).toBeGreaterThan(0);
    for (const alert of seed.alerts) {
      expect(alert._id).toMatch(/^env-leak-132\d\d-1-202611\d\d$/);
      expect(alert.detection).toMatchObject({ rule: 'MINIMUM_NIGHT_FLOW' });
      expect(alert.detection?.readingIds).toHaveLength(3);
    }
    expect(seed.alerts.map((a) => a.status).sort()).toContain('OPEN');
  });
});
