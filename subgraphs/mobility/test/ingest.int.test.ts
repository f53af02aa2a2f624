import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import type { IngestBatch } from '../../../lib/ingest/createIngestPipeline.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createModels, type MobilityModels } from '../src/models/index.js';
import { generateMobilitySeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const SENSOR = 'mob-ts-13201-01';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/** A TrafficFlowObserved as NGSI-LD normalized, shaped like the Smart Data Models example. */
function flowObserved(
  from: Date,
  to: Date,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: `urn:ngsi-ld:TrafficFlowObserved:${SENSOR}-${to.toISOString()}`,
    type: 'TrafficFlowObserved',
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${SENSOR}` },
    dateObserved: {
      type: 'Property',
      value: {
        '@type': 'DateTime',
        '@value': `${from.toISOString()}/${to.toISOString()}`,
      },
    },
    intensity: { type: 'Property', value: 50 },
    averageVehicleSpeed: { type: 'Property', value: 42.5, unitCode: 'KMH' },
    occupancy: { type: 'Property', value: 0.3 },
    '@context': [
      'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
    ],
    ...extra,
  };
}

describe('mobility ingestion', () => {
  let db: TestDatabase;
  let models: MobilityModels;
  let server: ReturnType<typeof createServer>;
  const published: CityEvent[] = [];
  const seed = generateMobilitySeed();

  const ingest = (
    entities: unknown[],
    overrides: Partial<IngestBatch> = {},
  ) => {
    const pipeline = server.ingest;
    if (!pipeline) throw new Error('mobility has no ingest pipeline');
    return pipeline.ingest({
      format: 'ngsi-ld',
      entities,
      source: { kind: 'partner', id: 'partner-test' },
      receivedAt: new Date(),
      ...overrides,
    });
  };

  const latest = async () => {
    const result = await executeAs(
      server,
      `{ trafficSensor(id: "${SENSOR}") { ngsiId latestReading { id observedAt intensity { value unit } averageSpeed { value } occupancy congested stale source { kind id } quality { flags score } } } }`,
    );
    expect(result.errors).toBeUndefined();
    return result.data?.['trafficSensor'] as {
      ngsiId: string;
      latestReading: Record<string, unknown>;
    };
  };

  beforeAll(async () => {
    db = await startTestDatabase('mobility-ingest-test');
    models = createModels(db.connection);
    await upsertAll(
      models.TrafficSensor,
      seed.sensors.filter((s) => s.district === '13201'),
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

  it('answers a seeded sensor from its seeded current state, stale and from the seed', async () => {
    const sensor = await latest();
    expect(sensor.ngsiId).toBe(`urn:ngsi-ld:Device:${SENSOR}`);
    expect(sensor.latestReading).toMatchObject({
      observedAt: '2026-11-23T00:00:00.000Z',
      stale: true,
      source: { kind: 'SEED', id: 'seed:mobility' },
      quality: { flags: [], score: 1 },
    });
  });

  it('makes an ingested reading the current state, per hour, with its provenance, and announces it', async () => {
    const to = minutesAgo(2);
    const from = new Date(to.getTime() - 5 * 60_000);
    const [outcome] = await ingest([flowObserved(from, to)]);
    expect(outcome).toMatchObject({ status: 'created', flags: [] });
    const sensor = await latest();
    expect(sensor.latestReading).toMatchObject({
      id: `${SENSOR}@${to.toISOString()}`,
      observedAt: to.toISOString(),
      // 50 vehicles in 5 minutes.
      intensity: { value: 600, unit: 'vehicles/h' },
      averageSpeed: { value: 42.5 },
      occupancy: 0.3,
      congested: false,
      stale: false,
      source: { kind: 'PARTNER', id: 'partner-test' },
      quality: { flags: [], score: 1 },
    });
    expect(published.at(-1)).toMatchObject({
      id: `TrafficFlowObserved:${SENSOR}@${to.toISOString()}`,
      department: 'mobility',
      type: 'reading.received',
      entity: { type: 'TrafficSensor', id: SENSOR },
      district: '13201',
      occurredAt: to,
      payload: { intensity: 600, averageSpeed: 42.5, occupancy: 0.3 },
    });
  });

  it('counts the same observation once, and an older one never regresses the current state', async () => {
    const to = minutesAgo(1);
    const from = new Date(to.getTime() - 60_000);
    const entity = flowObserved(from, to);
    const older = flowObserved(
      new Date(to.getTime() - 20 * 60_000),
      new Date(to.getTime() - 19 * 60_000),
    );
    const outcomes = await ingest([entity, entity]);
    expect(outcomes.map((o) => o.status)).toEqual(['created', 'duplicate']);
    expect((await ingest([entity]))[0]?.status).toBe('duplicate');
    expect((await ingest([older]))[0]?.status).toBe('created');
    expect(
      await models.TrafficFlowReading.countDocuments({
        _id: `${SENSOR}@${to.toISOString()}`,
      }),
    ).toBe(1);
    expect((await latest()).latestReading['observedAt']).toBe(to.toISOString());
  });

  it('accepts an observation lacking quantities with nulls and INCOMPLETE', async () => {
    const to = new Date();
    const entity = flowObserved(new Date(to.getTime() - 60_000), to);
    delete entity['intensity'];
    delete entity['occupancy'];
    const [outcome] = await ingest([entity]);
    expect(outcome).toMatchObject({ status: 'created', flags: ['INCOMPLETE'] });
    const reading = (await latest()).latestReading;
    expect(reading).toMatchObject({
      intensity: null,
      occupancy: null,
      averageSpeed: { value: 42.5 },
      quality: { flags: ['INCOMPLETE'] },
    });
    expect(reading['quality']).toMatchObject({ score: 0.33 });
  });

  it('rejects into the quarantine what is wrong, and stores the rest of the batch', async () => {
    const to = minutesAgo(3);
    const from = new Date(to.getTime() - 60_000);
    const good = flowObserved(from, to, {
      id: 'urn:ngsi-ld:TrafficFlowObserved:good-one',
    });
    const bad: Record<string, unknown>[] = [
      flowObserved(from, to, {
        refDevice: { type: 'Relationship', object: 'urn:ngsi-ld:Device:nope' },
      }),
      flowObserved(from, to, {
        intensity: { type: 'Property', value: 'lots' },
      }),
      flowObserved(from, to, {
        averageVehicleSpeed: { type: 'Property', value: 40, unitCode: 'KEL' },
      }),
      flowObserved(from, new Date(Date.now() + 3_600_000)),
      flowObserved(from, to, {
        location: {
          type: 'GeoProperty',
          value: { type: 'Point', coordinates: [5.4474, 43.5297] }, // Aix-en-Provence
        },
      }),
      flowObserved(from, to, { occupancy: { type: 'Property', value: 7 } }),
      { type: 'TrafficFlowObserved' },
      flowObserved(from, to, { type: 'ParkingSpot' }),
    ];
    const outcomes = await ingest([...bad, good]);
    expect(
      outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status)),
    ).toEqual([
      'UNKNOWN_DEVICE',
      'ATTRIBUTE_TYPE',
      'UNIT_NOT_CONVERTIBLE',
      'FUTURE_TIME',
      'OUTSIDE_CITY',
      'OUT_OF_RANGE',
      'MALFORMED_ENTITY',
      'UNKNOWN_TYPE',
      'created',
    ]);
    const quarantined = await models.QuarantinedRecord.find({})
      .sort({ reason: 1 })
      .lean();
    expect(quarantined.map((q) => q.reason).sort()).toEqual(
      [
        'ATTRIBUTE_TYPE',
        'FUTURE_TIME',
        'MALFORMED_ENTITY',
        'OUTSIDE_CITY',
        'OUT_OF_RANGE',
        'UNIT_NOT_CONVERTIBLE',
        'UNKNOWN_DEVICE',
        'UNKNOWN_TYPE',
      ].sort(),
    );
    const unknown = quarantined.find((q) => q.reason === 'UNKNOWN_DEVICE');
    expect(unknown).toMatchObject({
      source: { kind: 'partner', id: 'partner-test' },
      status: 'open',
      attempts: 1,
      entityType: 'TrafficFlowObserved',
    });
    expect(JSON.parse(unknown?.payload ?? 'null')).toEqual(bad[0]);
    // The same bad payload again is kept once, its attempts counted.
    await ingest([bad[0]]);
    expect(
      (await models.QuarantinedRecord.findById(unknown?._id).lean())?.attempts,
    ).toBe(2);
  });

  it('swaps back [lat, lon] coordinates and flags them', async () => {
    const to = minutesAgo(4);
    const sensor = seed.sensors.find((s) => s._id === SENSOR);
    const [outcome] = await ingest([
      flowObserved(new Date(to.getTime() - 60_000), to, {
        id: 'urn:ngsi-ld:TrafficFlowObserved:swapped',
        location: {
          type: 'GeoProperty',
          value: {
            type: 'Point',
            coordinates: [sensor?.location.lat, sensor?.location.lon],
          },
        },
      }),
    ]);
    expect(outcome).toMatchObject({
      status: 'created',
      flags: ['COORDINATES_SWAPPED'],
    });
  });

  it('keeps a docking station status from the published BikeHireDockingStation example, newest wins', async () => {
    await upsertAll(
      models.BikeStation,
      seed.bikes.filter((b) => b.district === '13201'),
    );
    const station = seed.bikes.find((b) => b.district === '13201');
    if (!station) throw new Error('no seeded station');
    const report = (at: Date, bikes: number) => ({
      id: `urn:ngsi-ld:BikeHireDockingStation:${station._id}`,
      type: 'BikeHireDockingStation',
      availableBikeNumber: { type: 'Property', value: bikes },
      freeSlotNumber: { type: 'Property', value: station.capacity - bikes },
      observationDate: {
        type: 'Property',
        value: { '@type': 'DateTime', '@value': at.toISOString() },
      },
      status: { type: 'Property', value: 'working' },
      '@context': [
        'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
      ],
    });
    const now = minutesAgo(1);
    const outcomes = await ingest([
      report(now, 3),
      report(minutesAgo(10), 9),
      report(now, station.capacity + 5),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'created',
      'duplicate',
      'rejected',
    ]);
    const result = await executeAs(
      server,
      `{ bikeStations(district: "13201", first: 10) { nodes { id ngsiId availableBikes observedAt stale source { kind } } } }`,
    );
    const nodes = (
      result.data?.['bikeStations'] as {
        nodes: { id: string; availableBikes: number; observedAt: string }[];
      }
    ).nodes;
    expect(nodes.find((n) => n.id === station._id)).toMatchObject({
      ngsiId: `urn:ngsi-ld:BikeHireDockingStation:${station._id}`,
      availableBikes: 3,
      observedAt: now.toISOString(),
      stale: false,
      source: { kind: 'PARTNER' },
    });
  });

  it('maps a Device status report onto its traffic light', async () => {
    await upsertAll(
      models.TrafficLight,
      seed.lights.filter((l) => l.district === '13201'),
    );
    const at = minutesAgo(1);
    const [outcome, unknown] = await ingest([
      {
        id: 'urn:ngsi-ld:Device:mob-tl-13201-01',
        type: 'Device',
        deviceState: 'failure',
        batteryLevel: 0.75,
        dateLastValueReported: at.toISOString(),
      },
      {
        id: 'urn:ngsi-ld:Device:mob-tl-13201-02',
        type: 'Device',
        deviceState: 'exploded',
        dateLastValueReported: at.toISOString(),
      },
    ]);
    expect(outcome?.status).toBe('created');
    expect(unknown).toMatchObject({
      status: 'rejected',
      reason: 'ATTRIBUTE_TYPE',
    });
    const result = await executeAs(
      server,
      '{ trafficLight(id: "mob-tl-13201-01") { ngsiId status statusObservedAt } }',
    );
    expect(result.data?.['trafficLight']).toEqual({
      ngsiId: 'urn:ngsi-ld:Device:mob-tl-13201-01',
      status: 'FAULT',
      statusObservedAt: at.toISOString(),
    });
  });

  it('lets staff list the quarantine and replay a record once its device is registered', async () => {
    const staff = createViewer('staff-01', ['mobility:staff']);
    const to = minutesAgo(5);
    const entity = flowObserved(new Date(to.getTime() - 60_000), to, {
      id: 'urn:ngsi-ld:TrafficFlowObserved:late-sensor',
      refDevice: {
        type: 'Relationship',
        object: 'urn:ngsi-ld:Device:mob-ts-13201-09',
      },
    });
    expect((await ingest([entity]))[0]).toMatchObject({
      status: 'rejected',
      reason: 'UNKNOWN_DEVICE',
    });
    const list = async (status: string) => {
      const result = await executeAs(
        server,
        `{ mobilityQuarantine(status: ${status}, first: 100) { totalCount nodes { id entityId reason status attempts source { kind id } payload } } }`,
        {},
        staff,
      );
      expect(result.errors).toBeUndefined();
      return (
        result.data?.['mobilityQuarantine'] as {
          nodes: { id: string; entityId: string; payload: string }[];
        }
      ).nodes;
    };
    const open = (await list('OPEN')).find((n) => n.entityId === entity['id']);
    expect(open).toMatchObject({
      reason: 'UNKNOWN_DEVICE',
      status: 'OPEN',
      source: { kind: 'PARTNER', id: 'partner-test' },
    });
    expect(JSON.parse(open?.payload ?? 'null')).toEqual(entity);
    const anonymous = await executeAs(
      server,
      '{ mobilityQuarantine(first: 1) { totalCount } }',
    );
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');

    const replay = () =>
      executeAs(
        server,
        'mutation($ids: [ID!]!) { replayMobilityQuarantine(ids: $ids) { id outcome reason } }',
        { ids: [open?.id] },
        staff,
      );
    expect((await replay()).data?.['replayMobilityQuarantine']).toEqual([
      { id: open?.id, outcome: 'REJECTED', reason: 'UNKNOWN_DEVICE' },
    ]);
    const sensor = seed.sensors.find((s) => s._id === SENSOR);
    if (!sensor) throw new Error('no seeded sensor');
    await models.TrafficSensor.create({
      ...sensor,
      _id: 'mob-ts-13201-09',
      latest: null,
    });
    expect((await replay()).data?.['replayMobilityQuarantine']).toEqual([
      { id: open?.id, outcome: 'STORED', reason: null },
    ]);
    expect((await replay()).data?.['replayMobilityQuarantine']).toEqual([
      { id: open?.id, outcome: 'ALREADY_REPLAYED', reason: null },
    ]);
    expect((await list('OPEN')).some((n) => n.entityId === entity['id'])).toBe(
      false,
    );
    const stored = await models.TrafficFlowReading.findById(
      `mob-ts-13201-09@${to.toISOString()}`,
    ).lean();
    expect(stored?.source).toEqual({ kind: 'partner', id: 'partner-test' });
  });

  it('reads NGSI-v2 keyValues with a FIWARE interval', async () => {
    const [outcome] = await ingest(
      [
        {
          id: 'TrafficFlowObserved-v2-kv',
          type: 'TrafficFlowObserved',
          refDevice: SENSOR,
          dateObserved: '2026-11-30T11:10:00/2026-11-30T11:15:00',
          intensity: 197,
          occupancy: 0.76,
          averageVehicleSpeed: 52.6,
        },
      ],
      { format: 'ngsi-v2', keyValues: true },
    );
    expect(outcome).toMatchObject({
      status: 'created',
      recordId: `${SENSOR}@2026-11-30T11:15:00.000Z`,
    });
    const stored = await models.TrafficFlowReading.findById(
      `${SENSOR}@2026-11-30T11:15:00.000Z`,
    ).lean();
    expect(stored).toMatchObject({ intensity: 2364, occupancy: 0.76 });
    expect(stored?.quality.flags).toEqual(
      expect.arrayContaining(['TIMEZONE_ASSUMED', 'LATE_ARRIVAL']),
    );
  });
});
