/**
 * End-to-end ingestion: partners send FIWARE entities to the gateway's NGSI
 * endpoints (NGSI-LD upsert, NGSI-v2 op/update), the gateway routes them to
 * the owning department, and the graph answers them as the current state.
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCityGraph, type CityGraph } from './cityGraph.js';

let graph: CityGraph;
let base: string;

beforeAll(async () => {
  graph = await startCityGraph();
  base = graph.gatewayUrl.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await graph?.stop();
});

const SENSOR = 'mob-ts-13203-02';
const STATION = 'env-aq-13203';

function flowObserved(to: Date, sensor = SENSOR): Record<string, unknown> {
  const from = new Date(to.getTime() - 5 * 60_000);
  return {
    id: `urn:ngsi-ld:TrafficFlowObserved:${sensor}-${to.getTime()}`,
    type: 'TrafficFlowObserved',
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${sensor}` },
    dateObserved: {
      type: 'Property',
      value: `${from.toISOString()}/${to.toISOString()}`,
    },
    intensity: { type: 'Property', value: 120 },
    averageVehicleSpeed: { type: 'Property', value: 31, unitCode: 'KMH' },
    occupancy: { type: 'Property', value: 0.45 },
    '@context': [
      'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
    ],
  };
}

async function post(
  path: string,
  body: unknown,
  options: { token?: string; contentType?: string; raw?: string } = {},
) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/ld+json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.raw ?? JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
  };
}

describe('NGSI ingestion through the gateway', () => {
  it('answers a TrafficFlowObserved sent with NGSI-LD upsert as the sensor latest reading', async () => {
    const token = await graph.token('partner-traffic', ['mobility:ingest']);
    const to = new Date(Date.now() - 60_000);
    const answer = await post(
      '/ngsi-ld/v1/entityOperations/upsert',
      [flowObserved(to)],
      { token },
    );
    expect(answer).toEqual({
      status: 201,
      body: [flowObserved(to)['id']],
    });
    const result = await graph.query(
      `{ trafficSensor(id: "${SENSOR}") { ngsiId latestReading { observedAt stale intensity { value } source { kind id } quality { flags score } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['trafficSensor']).toEqual({
      ngsiId: `urn:ngsi-ld:Device:${SENSOR}`,
      latestReading: {
        observedAt: to.toISOString(),
        stale: false,
        intensity: { value: 1440 },
        source: { kind: 'PARTNER', id: 'partner-traffic' },
        quality: { flags: [], score: 1 },
      },
    });
    // Announced to the live city through mobility's outbox.
    const client = await MongoClient.connect(graph.databases.mobility.uri);
    try {
      const event = await client
        .db('mobility')
        .collection<{ _id: string }>('outbox')
        .findOne({ _id: `TrafficFlowObserved:${SENSOR}@${to.toISOString()}` });
      expect(event).toMatchObject({
        event: {
          type: 'reading.received',
          entity: { type: 'TrafficSensor', id: SENSOR },
          district: '13203',
        },
      });
    } finally {
      await client.close();
    }
    // Sent again: already there, nothing created.
    expect(
      (
        await post('/ngsi-ld/v1/entityOperations/upsert', [flowObserved(to)], {
          token,
        })
      ).status,
    ).toBe(204);
  });

  it('answers an AirQualityObserved sent with NGSI-v2 keyValues as the station latest reading', async () => {
    const token = await graph.token('partner-air', ['environment:ingest']);
    const observedAt = new Date(Date.now() - 5 * 60_000);
    const answer = await post(
      '/v2/op/update?options=keyValues',
      {
        actionType: 'append',
        entities: [
          {
            id: `AirQualityObserved-${STATION}-${observedAt.getTime()}`,
            type: 'AirQualityObserved',
            refDevice: STATION,
            dateObserved: observedAt.toISOString(),
            no2: 41,
            pm10: 22,
            pm25: 11,
          },
        ],
      },
      { token, contentType: 'application/json' },
    );
    expect(answer).toEqual({ status: 204, body: null });
    const result = await graph.query(
      `{ airQualityStation(id: "${STATION}") { latestReading { observedAt no2 { value } o3 { value } index { band } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['airQualityStation']).toEqual({
      latestReading: {
        observedAt: observedAt.toISOString(),
        no2: { value: 41 },
        o3: null,
        index: { band: 'FAIR' },
      },
    });
  });

  it('answers a WaterConsumptionObserved sent with NGSI-LD upsert (normalized, index in litres) as the meter latest reading', async () => {
    const token = await graph.token('partner-eaux', ['environment:ingest']);
    const meter = 'env-wm-13203-3';
    const first = new Date(Date.now() - 65 * 60_000);
    const second = new Date(first.getTime() + 3_600_000);
    const reading = (at: Date, litres: number) => ({
      id: `urn:ngsi-ld:WaterConsumptionObserved:${meter}-${at.getTime()}`,
      type: 'WaterConsumptionObserved',
      refDevice: {
        type: 'Relationship',
        object: `urn:ngsi-ld:Device:${meter}`,
      },
      alarmInProgress: {
        type: 'Property',
        value: 0,
        observedAt: at.toISOString(),
      },
      waterConsumption: {
        type: 'Property',
        value: litres,
        observedAt: at.toISOString(),
        unitCode: 'LTR',
      },
      '@context': [
        'https://raw.githubusercontent.com/smart-data-models/dataModel.WaterConsumption/master/context.jsonld',
      ],
    });
    const answer = await post(
      '/ngsi-ld/v1/entityOperations/upsert',
      [reading(first, 191_051_000), reading(second, 191_089_500)],
      { token },
    );
    expect(answer.status).toBe(201);
    const result = await graph.query(
      `{ waterMeter(id: "${meter}") { latestReading { observedAt intervalStart meterIndex { value unit } consumption { value unit } flow { value unit } stale } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['waterMeter']).toEqual({
      latestReading: {
        observedAt: second.toISOString(),
        intervalStart: first.toISOString(),
        meterIndex: { value: 191_089.5, unit: 'm3' },
        consumption: { value: 38.5, unit: 'm3' },
        flow: { value: 38.5, unit: 'm3/h' },
        stale: false,
      },
    });
  });

  it('answers 207 with one error per refused entity and stores the rest', async () => {
    const token = await graph.token('partner-traffic', ['mobility:ingest']);
    const to = new Date(Date.now() - 2 * 60_000);
    const good = flowObserved(to, 'mob-ts-13204-01');
    const unknownDevice = flowObserved(to, 'mob-ts-99999-01');
    const unknownType: Record<string, unknown> = {
      ...flowObserved(to),
      type: 'ParkingSpot',
    };
    const notMine = {
      id: 'urn:ngsi-ld:AirQualityObserved:x',
      type: 'AirQualityObserved',
      '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
    };
    const future = flowObserved(new Date(Date.now() + 3_600_000));
    const answer = await post(
      '/ngsi-ld/v1/entityOperations/upsert',
      [good, unknownDevice, unknownType, notMine, future],
      { token },
    );
    expect(answer.status).toBe(207);
    expect(answer.body?.['success']).toEqual([good['id']]);
    const errors = answer.body?.['errors'] as {
      entityId: string;
      error: { type: string; title: string; detail: string; code: string };
    }[];
    expect(errors.map((e) => [e.entityId, e.error.code, e.error.type])).toEqual(
      [
        [
          unknownDevice['id'],
          'UNKNOWN_DEVICE',
          'https://uri.etsi.org/ngsi-ld/errors/BadRequestData',
        ],
        [
          unknownType['id'],
          'UNKNOWN_TYPE',
          'https://uri.etsi.org/ngsi-ld/errors/OperationNotSupported',
        ],
        [notMine['id'], 'FORBIDDEN', 'urn:marseille:ngsi-ld:errors:Forbidden'],
        [
          future['id'],
          'FUTURE_TIME',
          'https://uri.etsi.org/ngsi-ld/errors/BadRequestData',
        ],
      ],
    );
    expect(errors[0]?.error.detail).toContain('quarantine');
    const latest = await graph.query(
      '{ trafficSensor(id: "mob-ts-13204-01") { latestReading { observedAt } } }',
    );
    expect(latest.data?.['trafficSensor']).toEqual({
      latestReading: { observedAt: to.toISOString() },
    });
  });

  it('answers a wrong attribute type, an unconvertible unit, swapped coordinates and a point in another city per entity, keeps the refused in the quarantine and stores the rest', async () => {
    const token = await graph.token('partner-traffic', ['mobility:ingest']);
    const sensor = 'mob-ts-13206-01';
    const located = await graph.query(
      `{ trafficSensor(id: "${sensor}") { location { lat lon } } }`,
    );
    const { lat, lon } = (
      located.data?.['trafficSensor'] as {
        location: { lat: number; lon: number };
      }
    ).location;
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const entity = (to: Date, overrides: Record<string, unknown>) => ({
      ...flowObserved(to, sensor),
      ...overrides,
    });
    const wrongType = entity(minutesAgo(9), {
      intensity: { type: 'Property', value: 'lots' },
    });
    const badUnit = entity(minutesAgo(8), {
      averageVehicleSpeed: { type: 'Property', value: 40, unitCode: 'KEL' },
    });
    const swappedAt = minutesAgo(7);
    const goodAt = minutesAgo(5);
    const swapped = entity(swappedAt, {
      location: {
        type: 'GeoProperty',
        value: { type: 'Point', coordinates: [lat, lon] },
      },
    });
    const aix = entity(minutesAgo(6), {
      location: {
        type: 'GeoProperty',
        value: { type: 'Point', coordinates: [5.4474, 43.5297] },
      },
    });
    const good = entity(goodAt, {});
    const answer = await post(
      '/ngsi-ld/v1/entityOperations/upsert',
      [wrongType, badUnit, swapped, aix, good],
      { token },
    );
    expect(answer.status).toBe(207);
    expect(answer.body?.['success']).toEqual([swapped['id'], good['id']]);
    const errors = answer.body?.['errors'] as {
      entityId: string;
      error: { type: string; detail: string; code: string };
    }[];
    expect(errors.map((e) => [e.entityId, e.error.code])).toEqual([
      [wrongType['id'], 'ATTRIBUTE_TYPE'],
      [badUnit['id'], 'UNIT_NOT_CONVERTIBLE'],
      [aix['id'], 'OUTSIDE_CITY'],
    ]);
    expect(errors.map((e) => e.error.detail)).toEqual([
      expect.stringContaining('"intensity" must be a number'),
      expect.stringContaining('"averageVehicleSpeed"'),
      expect.stringContaining('not in Marseille'),
    ]);
    // The accepted ones are stored, the swapped pair flagged.
    const readings = await graph.query(
      `{ trafficSensor(id: "${sensor}") { readings(range: { from: "${minutesAgo(10).toISOString()}" }, first: 10) { nodes { observedAt quality { flags } } } } }`,
    );
    expect(readings.errors).toBeUndefined();
    expect(
      (
        readings.data?.['trafficSensor'] as {
          readings: {
            nodes: { observedAt: string; quality: { flags: string[] } }[];
          };
        }
      ).readings.nodes
        .map((n) => [n.observedAt, n.quality.flags])
        .sort(),
    ).toEqual(
      [
        [swappedAt.toISOString(), ['COORDINATES_SWAPPED']],
        [goodAt.toISOString(), []],
      ].sort(),
    );
    // The refused ones are in mobility's quarantine, for staff to replay.
    const staff = await graph.token('agent-01', ['mobility:staff']);
    const quarantine = await graph.query(
      '{ mobilityQuarantine(status: OPEN, first: 100) { nodes { entityId reason source { kind id } } } }',
      {},
      { token: staff },
    );
    expect(quarantine.errors).toBeUndefined();
    const open = (
      quarantine.data?.['mobilityQuarantine'] as {
        nodes: { entityId: string; reason: string; source: unknown }[];
      }
    ).nodes;
    for (const [refused, reason] of [
      [wrongType, 'ATTRIBUTE_TYPE'],
      [badUnit, 'UNIT_NOT_CONVERTIBLE'],
      [aix, 'OUTSIDE_CITY'],
    ] as const)
      expect(open).toContainEqual({
        entityId: refused['id'],
        reason,
        source: { kind: 'PARTNER', id: 'partner-traffic' },
      });
  });

  it('answers NGSI-v2 with 422 naming each refused entity and why, and stores the others', async () => {
    const token = await graph.token('partner-air', ['environment:ingest']);
    const station = 'env-aq-13206';
    const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const reading = (id: string, observed: string, no2: unknown) => ({
      id,
      type: 'AirQualityObserved',
      refDevice: {
        type: 'Relationship',
        value: `urn:ngsi-ld:Device:${station}`,
      },
      dateObserved: { type: 'DateTime', value: observed },
      no2,
    });
    const goodAt = at(20);
    const answer = await post(
      '/v2/op/update',
      {
        actionType: 'append',
        entities: [
          reading(`v2-bad-unit-${Date.now()}`, at(22), {
            type: 'Number',
            value: 40,
            metadata: { unitCode: { value: 'KEL' } },
          }),
          reading(`v2-wrong-type-${Date.now()}`, at(21), {
            type: 'Text',
            value: 'high',
          }),
          reading(`v2-good-${Date.now()}`, goodAt, {
            type: 'Number',
            value: 35,
            metadata: { unitCode: { value: 'GQ' } },
          }),
        ],
      },
      { token, contentType: 'application/json' },
    );
    expect(answer.status).toBe(422);
    expect(answer.body?.['error']).toBe('PartialUpdate');
    const description = String(answer.body?.['description']);
    expect(description).toContain('v2-bad-unit-');
    expect(description).toContain('UNIT_NOT_CONVERTIBLE');
    expect(description).toContain('v2-wrong-type-');
    expect(description).toContain('ATTRIBUTE_TYPE');
    expect(description).not.toContain('v2-good-');
    const result = await graph.query(
      `{ airQualityStation(id: "${station}") { latestReading { observedAt no2 { value } } } }`,
    );
    expect(result.data?.['airQualityStation']).toEqual({
      latestReading: { observedAt: goodAt, no2: { value: 35 } },
    });
  });

  it('takes 10,000 entities in one batch and stores every one', async () => {
    const token = await graph.token('partner-bulk', ['mobility:ingest']);
    const sensor = 'mob-ts-13210-03';
    const start = Date.now() - 10_000 * 60_000;
    const batch = Array.from({ length: 10_000 }, (_, i) =>
      flowObserved(new Date(start + i * 60_000), sensor),
    );
    const answer = await post('/ngsi-ld/v1/entityOperations/upsert', batch, {
      token,
    });
    expect(answer.status).toBe(201);
    expect((answer.body as unknown as string[]).length).toBe(10_000);
    const result = await graph.query(
      `{ trafficSensor(id: "${sensor}") { readings(range: { from: "${new Date(start - 1000).toISOString()}" }) { totalCount } } }`,
    );
    expect(result.data?.['trafficSensor']).toEqual({
      readings: { totalCount: 10_000 },
    });
  });

  it('refuses whole requests it cannot read, clearly and in the API shape', async () => {
    const token = await graph.token('partner-traffic', ['mobility:ingest']);
    const ld = '/ngsi-ld/v1/entityOperations/upsert';
    const malformed = await post(ld, null, { token, raw: '[{"id": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      type: 'https://uri.etsi.org/ngsi-ld/errors/InvalidRequest',
      title: 'Malformed JSON',
    });
    const wrongType = await post(ld, [], { token, contentType: 'text/csv' });
    expect(wrongType.status).toBe(415);
    const anonymous = await post(ld, [flowObserved(new Date())]);
    expect(anonymous.status).toBe(401);
    const huge = await post(ld, null, {
      token,
      raw: `[${'"x",'.repeat(2_700_000)}"x"]`,
    });
    expect(huge.status).toBe(413);
    // Under 8 MiB but over 10,000 entities: refused whole too, saying why.
    const many = await post(
      ld,
      Array.from({ length: 10_001 }, () => ({})),
      { token },
    );
    expect(many.status).toBe(413);
    expect(String(many.body?.['detail'])).toContain('10000 entities');
    const v2 = await post(
      '/v2/op/update',
      { actionType: 'delete', entities: [] },
      { token, contentType: 'application/json' },
    );
    expect(v2.status).toBe(400);
    expect(v2.body).toMatchObject({ error: 'BadRequest' });
    expect(String(v2.body?.['description'])).toContain('actionType');
  });

  it('records every batch in the audit trail, with its outcome', async () => {
    const auditor = await graph.token('auditor-01', ['audit:read']);
    const result = await graph.query(
      '{ auditEvents(filter: { subject: "partner-traffic" }, first: 100) { nodes { operationName outcome subgraphs errorCodes } } }',
      {},
      { token: auditor },
    );
    expect(result.errors).toBeUndefined();
    const events = (
      result.data?.['auditEvents'] as {
        nodes: {
          operationName: string;
          outcome: string;
          subgraphs: string[];
          errorCodes: string[];
        }[];
      }
    ).nodes;
    const outcomes = events
      .filter((e) => e.operationName === 'NGSI-LD entityOperations/upsert')
      .map((e) => e.outcome);
    expect(outcomes).toEqual(
      expect.arrayContaining(['STARTED', 'SUCCESS', 'PARTIAL', 'REFUSED']),
    );
    // The partial batches of this subject, each with its distinct reasons.
    expect(
      events
        .filter((e) => e.outcome === 'PARTIAL')
        .flatMap((e) => e.errorCodes),
    ).toEqual(
      expect.arrayContaining([
        'FORBIDDEN',
        'UNKNOWN_DEVICE',
        'UNKNOWN_TYPE',
        'ATTRIBUTE_TYPE',
        'UNIT_NOT_CONVERTIBLE',
        'OUTSIDE_CITY',
      ]),
    );
  });
});
