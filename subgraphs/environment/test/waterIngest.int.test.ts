import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { seedReadings, upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createModels, type EnvironmentModels } from '../src/models/index.js';
import { generateEnvironmentSeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const METER = 'env-wm-13206-2';

/**
 * The Smart Data Models NGSI-LD normalized example of
 * WaterConsumptionObserved (its `waterConsumption` index in litres, `LTR`,
 * each property observed by the device), moved to a seeded meter of
 * Marseille (named in `refDevice`, which the example lacks) and to `at`;
 * its location (in Devon) is left out: a meter's position is the registry's.
 */
function ldNormalizedExample(at: Date, litres: number) {
  const observedBy = {
    type: 'Relationship',
    object: `urn:ngsi-ld:Device:${METER}`,
  };
  const observedAt = at.toISOString();
  return {
    id: `urn:ngsi-ld:WaterConsumptionObserved:${METER}-${at.getTime()}`,
    type: 'WaterConsumptionObserved',
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${METER}` },
    acquisitionStageFailure: {
      type: 'Property',
      observedBy,
      value: 0,
      observedAt,
    },
    alarmFlowPersistence: {
      type: 'Property',
      observedBy,
      value: 'Nothing to report',
      observedAt,
    },
    alarmInProgress: { type: 'Property', observedBy, value: 1, observedAt },
    maxFlow: {
      type: 'Property',
      observedBy,
      value: 620,
      observedAt,
      unitCode: 'E32',
    },
    minFlow: {
      type: 'Property',
      observedBy,
      value: 1,
      observedAt,
      unitCode: 'E32',
    },
    persistenceFlowDuration: {
      type: 'Property',
      observedBy,
      value: '3h < 6h',
      observedAt,
      unitCode: 'HUR',
    },
    waterConsumption: {
      type: 'Property',
      observedBy,
      value: litres,
      observedAt,
      unitCode: 'LTR',
    },
    '@context': [
      'https://raw.githubusercontent.com/smart-data-models/dataModel.WaterConsumption/master/context.jsonld',
    ],
  };
}

/** The model's keyValues example (example.json), with refDevice and dateObserved, index in m3. */
function keyValuesExample(at: Date, cubicMetres: number) {
  return {
    id: `WaterConsumptionObserved-${METER}-${at.getTime()}`,
    type: 'WaterConsumptionObserved',
    refDevice: `urn:ngsi-ld:Device:${METER}`,
    dateObserved: at.toISOString(),
    acquisitionStageFailure: 0,
    alarmFlowPersistence: 'Nothing to report',
    alarmInProgress: 1,
    alarmStopsLeaks: 0,
    alarmTamper: 0,
    maxFlow: 620,
    minFlow: 1,
    persistenceFlowDuration: '3h < 6h',
    waterConsumption: cubicMetres,
  };
}

describe('environment ingestion of WaterConsumptionObserved', () => {
  let db: TestDatabase;
  let models: EnvironmentModels;
  let server: ReturnType<typeof createServer>;
  const published: CityEvent[] = [];
  const seed = generateEnvironmentSeed();
  const meter = seed.meters.find((m) => m._id === METER);
  const lastSeeded = seed.water.findLast((r) => r.device.id === METER);
  if (!meter || !lastSeeded?.meterIndex) throw new Error('no seeded meter');
  const seededIndex = lastSeeded.meterIndex;
  // An hour after the seed's last reading.
  const hour = (n: number) =>
    new Date(lastSeeded.observedAt.getTime() + n * 3_600_000);

  beforeAll(async () => {
    db = await startTestDatabase('environment-water-ingest-test');
    models = createModels(db.connection);
    await upsertAll(models.WaterMeter, seed.meters);
    await seedReadings(
      {
        readings: models.WaterConsumptionObserved,
        keys: models.ReadingKey,
        logger: createSilentLogger(),
      },
      seed.water.filter((r) => r.device.id === METER),
    );
    server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events: {
        async publish(events) {
          published.push(...events);
        },
      },
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  const ingest = (
    format: 'ngsi-ld' | 'ngsi-v2',
    entities: unknown[],
    keyValues = false,
  ) => {
    if (!server.ingest) throw new Error('environment has no ingest pipeline');
    return server.ingest.ingest({
      format,
      keyValues,
      entities,
      source: { kind: 'partner', id: 'eaux-test' },
      // The seed's window is in the past; receive as if just after it.
      receivedAt: hour(8),
    });
  };

  const latest = async () => {
    const result = await executeAs(
      server,
      `{ waterMeter(id: "${METER}") { ngsiId latestReading { id observedAt intervalStart meterIndex { value unit } consumption { value unit } flow { value unit } source { kind id } quality { flags score } } } }`,
    );
    expect(result.errors).toBeUndefined();
    return result.data?.['waterMeter'] as {
      ngsiId: string;
      latestReading: Record<string, unknown>;
    };
  };

  it('takes the published NGSI-LD normalized example: the index in litres, the volume since the seed`s last reading', async () => {
    const litres = (seededIndex + 42.5) * 1000;
    const [outcome] = await ingest('ngsi-ld', [
      ldNormalizedExample(hour(1), litres),
    ]);
    expect(outcome).toMatchObject({ status: 'created', flags: [] });
    expect(await latest()).toEqual({
      ngsiId: `urn:ngsi-ld:Device:${METER}`,
      latestReading: {
        id: `${METER}@${hour(1).toISOString()}`,
        observedAt: hour(1).toISOString(),
        intervalStart: lastSeeded.observedAt.toISOString(),
        meterIndex: {
          value: Math.round((seededIndex + 42.5) * 100) / 100,
          unit: 'm3',
        },
        consumption: { value: 42.5, unit: 'm3' },
        flow: { value: 42.5, unit: 'm3/h' },
        source: { kind: 'PARTNER', id: 'eaux-test' },
        quality: { flags: [], score: 1 },
      },
    });
    expect(published.at(-1)).toMatchObject({
      id: `WaterConsumptionObserved:${METER}@${hour(1).toISOString()}`,
      department: 'environment',
      type: 'reading.received',
      entity: { type: 'WaterMeter', id: METER },
      district: '13206',
      occurredAt: hour(1),
      payload: { fiwareType: 'WaterConsumptionObserved' },
    });
  });

  it('takes the NGSI-v2 keyValues example; the same reading again is a duplicate', async () => {
    const entity = keyValuesExample(hour(3), seededIndex + 100);
    const [first] = await ingest('ngsi-v2', [entity], true);
    expect(first).toMatchObject({ status: 'created', flags: ['UNIT_ASSUMED'] });
    const [again] = await ingest('ngsi-v2', [entity], true);
    expect(again?.status).toBe('duplicate');
    expect((await latest()).latestReading).toMatchObject({
      observedAt: hour(3).toISOString(),
      intervalStart: hour(1).toISOString(),
      consumption: { value: 57.5, unit: 'm3' },
      // 57.5 m3 over 2 hours.
      flow: { value: 28.75, unit: 'm3/h' },
    });
  });

  it('stores a reading that arrives after the one following it with an unknown volume, and changes nothing stored', async () => {
    const [outcome] = await ingest('ngsi-v2', [
      {
        id: `WaterConsumptionObserved-${METER}-late`,
        type: 'WaterConsumptionObserved',
        refDevice: { type: 'Relationship', value: METER },
        dateObserved: { type: 'DateTime', value: hour(2).toISOString() },
        waterConsumption: {
          type: 'Number',
          value: seededIndex + 70,
          metadata: { unitCode: { value: 'MTQ' } },
        },
      },
    ]);
    expect(outcome?.status).toBe('created');
    const readings = await executeAs(
      server,
      `{ waterMeter(id: "${METER}") { readings(first: 3) { nodes { observedAt intervalStart consumption { value } } } latestReading { observedAt } } }`,
    );
    expect(readings.errors).toBeUndefined();
    expect(readings.data?.['waterMeter']).toEqual({
      readings: {
        nodes: [
          // Its interval already holds the late reading's hour (stored
          // readings are never updated: a time-series collection).
          {
            observedAt: hour(3).toISOString(),
            intervalStart: hour(1).toISOString(),
            consumption: { value: 57.5 },
          },
          {
            observedAt: hour(2).toISOString(),
            intervalStart: null,
            consumption: null,
          },
          {
            observedAt: hour(1).toISOString(),
            intervalStart: lastSeeded.observedAt.toISOString(),
            consumption: { value: 42.5 },
          },
        ],
      },
      // The state never goes back in time.
      latestReading: { observedAt: hour(3).toISOString() },
    });
  });

  it('keeps a reading whose index went back (a replaced meter) with an unknown volume', async () => {
    const [outcome] = await ingest(
      'ngsi-v2',
      [keyValuesExample(hour(4), 12)],
      true,
    );
    expect(outcome?.status).toBe('created');
    expect((await latest()).latestReading).toMatchObject({
      observedAt: hour(4).toISOString(),
      meterIndex: { value: 12, unit: 'm3' },
      consumption: null,
      flow: null,
    });
  });

  it('refuses a reading of an unknown meter, a negative index and a volume unit it cannot convert', async () => {
    const keyValues = await ingest(
      'ngsi-v2',
      [
        { ...keyValuesExample(hour(5), 1), refDevice: 'env-wm-13206-9' },
        keyValuesExample(hour(6), -3),
      ],
      true,
    );
    const normalized = await ingest('ngsi-v2', [
      {
        id: `WaterConsumptionObserved-${METER}-kg`,
        type: 'WaterConsumptionObserved',
        refDevice: { type: 'Relationship', value: METER },
        dateObserved: { type: 'DateTime', value: hour(7).toISOString() },
        waterConsumption: {
          type: 'Number',
          value: 5,
          metadata: { unitCode: { value: 'KGM' } },
        },
      },
    ]);
    expect(
      [...keyValues, ...normalized].map(
        (o) => o.status === 'rejected' && o.reason,
      ),
    ).toEqual(['UNKNOWN_DEVICE', 'OUT_OF_RANGE', 'UNIT_NOT_CONVERTIBLE']);
  });
});
