import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createModels, type EnvironmentModels } from '../src/models/index.js';
import { generateEnvironmentSeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const STATION = 'env-aq-13205';

/**
 * The Smart Data Models NGSI-v2 normalized example of AirQualityObserved
 * (Madrid, CO/NO/NO2/NOx/SO2 with unitCode GP/GQ, no PM nor O3), moved to a
 * seeded station of Marseille and to now.
 */
function madridExample(
  observedAt: Date,
  location: { lat: number; lon: number },
) {
  return {
    id: `Marseille-AmbientObserved-${STATION}-${observedAt.toISOString()}`,
    type: 'AirQualityObserved',
    refDevice: { type: 'Relationship', value: `urn:ngsi-ld:Device:${STATION}` },
    dateObserved: { type: 'DateTime', value: observedAt.toISOString() },
    areaServed: { type: 'Text', value: 'Brooklands' },
    airQualityLevel: { type: 'Text', value: 'moderate' },
    co: { type: 'Number', value: 0.5, metadata: { unitCode: { value: 'GP' } } },
    temperature: { type: 'Number', value: 12.2 },
    no: { type: 'Number', value: 45, metadata: { unitCode: { value: 'GQ' } } },
    so2: { type: 'Number', value: 11, metadata: { unitCode: { value: 'GQ' } } },
    nox: {
      type: 'Number',
      value: 139,
      metadata: { unitCode: { value: 'GQ' } },
    },
    no2: { type: 'Number', value: 69, metadata: { unitCode: { value: 'GQ' } } },
    location: {
      type: 'geo:json',
      value: { type: 'Point', coordinates: [location.lon, location.lat] },
    },
    reliability: { type: 'Number', value: 0.7 },
  };
}

describe('environment ingestion', () => {
  let db: TestDatabase;
  let models: EnvironmentModels;
  let server: ReturnType<typeof createServer>;
  const published: CityEvent[] = [];
  const seed = generateEnvironmentSeed();
  const station = seed.stations.find((s) => s._id === STATION);

  beforeAll(async () => {
    db = await startTestDatabase('environment-ingest-test');
    models = createModels(db.connection);
    await upsertAll(models.AirQualityStation, seed.stations);
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

  const ingestV2 = (entities: unknown[]) => {
    if (!server.ingest) throw new Error('environment has no ingest pipeline');
    return server.ingest.ingest({
      format: 'ngsi-v2',
      entities,
      source: { kind: 'partner', id: 'atmosud-test' },
      receivedAt: new Date(),
    });
  };

  it('stores its readings in time-series collections on observedAt and device, with its granularity and the raw retention', async () => {
    // The start-up checks run as the server is created.
    await expect
      .poll(async () =>
        (await db.connection.db!.listCollections().toArray())
          .filter((c) => c.type === 'timeseries')
          .map((c) => c.name)
          .sort(),
      )
      .toEqual([
        'air_quality_observed',
        'noise_level_observed',
        'water_consumption_observed',
      ]);
    const infos = await db.connection.db!.listCollections().toArray();
    const options = (name: string) =>
      (infos.find((c) => c.name === name) as { options?: unknown })?.options;
    for (const [name, granularity] of [
      ['air_quality_observed', 'minutes'],
      ['noise_level_observed', 'minutes'],
      ['water_consumption_observed', 'hours'],
    ])
      expect(options(name as string)).toMatchObject({
        timeseries: {
          timeField: 'observedAt',
          metaField: 'device',
          granularity,
        },
        expireAfterSeconds: 90 * 86_400,
      });
  });

  it('accepts the published example without PM and O3: those are null, CO converted from mg/m3', async () => {
    if (!station) throw new Error('no seeded station');
    const observedAt = new Date(Date.now() - 10 * 60_000);
    const [outcome] = await ingestV2([
      madridExample(observedAt, station.location),
    ]);
    expect(outcome).toMatchObject({ status: 'created', flags: ['INCOMPLETE'] });
    const result = await executeAs(
      server,
      `{ airQualityStation(id: "${STATION}") { ngsiId latestReading { observedAt no2 { value unit } pm10 { value } pm25 { value } o3 { value } co { value } so2 { value } index { band dominantPollutant } stale source { kind id } quality { flags score } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['airQualityStation']).toEqual({
      ngsiId: `urn:ngsi-ld:Device:${STATION}`,
      latestReading: {
        observedAt: observedAt.toISOString(),
        no2: { value: 69, unit: 'µg/m3' },
        pm10: null,
        pm25: null,
        o3: null,
        co: { value: 500 },
        so2: { value: 11 },
        index: { band: 'FAIR', dominantPollutant: 'NO2' },
        stale: false,
        source: { kind: 'PARTNER', id: 'atmosud-test' },
        quality: { flags: ['INCOMPLETE'], score: 0.63 },
      },
    });
    const district = await executeAs(
      server,
      '{ _entities(representations: [{ __typename: "District", code: "13205" }]) { ... on District { airQuality { observedAt stale no2 { value } pm10 { value } } } } }',
    );
    expect(district.errors).toBeUndefined();
    expect(district.data?.['_entities']).toEqual([
      {
        airQuality: {
          observedAt: observedAt.toISOString(),
          stale: false,
          no2: { value: 69 },
          pm10: null,
        },
      },
    ]);
    expect(published.at(-1)).toMatchObject({
      department: 'environment',
      type: 'reading.received',
      entity: { type: 'AirQualityStation', id: STATION },
      district: '13205',
    });
  });

  it('answers the published NoiseLevelObserved example, moved to a station, as its latest noise level', async () => {
    const to = new Date(Date.now() - 5 * 60_000);
    const from = new Date(to.getTime() - 3_600_000);
    if (!server.ingest) throw new Error('environment has no ingest pipeline');
    const [outcome] = await server.ingest.ingest({
      format: 'ngsi-ld',
      entities: [
        {
          id: `urn:ngsi-ld:NoiseLevelObserved:${STATION}-${to.toISOString()}`,
          type: 'NoiseLevelObserved',
          refDevice: {
            type: 'Relationship',
            object: `urn:ngsi-ld:Device:${STATION}`,
          },
          LAS: { type: 'Property', value: 91.6 },
          LAeq: { type: 'Property', value: 67.8 },
          LAeq_d: { type: 'Property', value: 65.4 },
          LAmax: { type: 'Property', value: 94.5 },
          dateObservedFrom: {
            type: 'Property',
            value: { '@type': 'DateTime', '@value': from.toISOString() },
          },
          dateObservedTo: {
            type: 'Property',
            value: { '@type': 'DateTime', '@value': to.toISOString() },
          },
        },
      ],
      source: { kind: 'partner', id: 'noise-test' },
      receivedAt: new Date(),
    });
    expect(outcome?.status).toBe('created');
    const result = await executeAs(
      server,
      `{ airQualityStation(id: "${STATION}") { latestNoiseLevel { observedAt LAeq { value unit } LAmax { value } stale } } }`,
    );
    expect(result.data?.['airQualityStation']).toEqual({
      latestNoiseLevel: {
        observedAt: to.toISOString(),
        LAeq: { value: 67.8, unit: 'dB(A)' },
        LAmax: { value: 94.5 },
        stale: false,
      },
    });
  });

  it('converts ppb of a gas through its molar mass and refuses ppm of particles', async () => {
    if (!station) throw new Error('no seeded station');
    const observedAt = new Date(Date.now() - 20 * 60_000);
    const ppb = {
      ...madridExample(observedAt, station.location),
      no2: {
        type: 'Number',
        value: 20,
        metadata: { unitCode: { value: '61' } },
      },
    };
    const ppm = {
      ...madridExample(
        new Date(observedAt.getTime() - 3_600_000),
        station.location,
      ),
      pm10: {
        type: 'Number',
        value: 1,
        metadata: { unitCode: { value: '59' } },
      },
    };
    const [converted, refused] = await ingestV2([ppb, ppm]);
    expect(converted?.status).toBe('created');
    expect(refused).toMatchObject({
      status: 'rejected',
      reason: 'UNIT_NOT_CONVERTIBLE',
    });
    const stored = await models.AirQualityObserved.findById(
      `${STATION}@${observedAt.toISOString()}`,
    ).lean();
    // 20 ppb × 46.0055 g/mol ÷ 24.055 L/mol (20 °C) = 38.3 µg/m3.
    expect(stored?.no2).toBe(38.3);
  });
});
