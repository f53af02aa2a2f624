import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityEvent } from '../../../lib/runtime/cityEvents.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createAirQualityAnalysis } from '../src/analysis/airQualityAnalysis.js';
import { createModels, type EnvironmentModels } from '../src/models/index.js';
import { generateEnvironmentSeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const STATION = 'env-aq-13205';
const hour = (h: number) => new Date(Date.UTC(2026, 11, 1, 0) + h * 3_600_000);
const at = (h: number) => hour(h).toISOString();

const INDEX = /* GraphQL */ `
  query ($id: ID!, $hour: DateTime) {
    airQualityStation(id: $id) {
      airQualityIndex(hour: $hour) {
        from
        to
        level
        band
        dominantPollutant
        pollutants {
          pollutant
          concentration {
            value
            unit
          }
          averaging
          hours
          band
        }
        readingIds
        readings {
          id
        }
        station {
          id
        }
      }
    }
  }
`;

const ALERT = /* GraphQL */ `
  query ($id: ID!) {
    airQualityAlert(id: $id) {
      id
      station {
        id
      }
      district {
        code
      }
      index {
        to
        band
        dominantPollutant
        readings {
          id
          no2 {
            value
          }
        }
      }
      previousIndex {
        to
        band
      }
    }
  }
`;

describe('environment live air-quality index', () => {
  let db: TestDatabase;
  let models: EnvironmentModels;
  let server: ReturnType<typeof createServer>;
  const ingested: CityEvent[] = [];
  const seed = generateEnvironmentSeed();

  beforeAll(async () => {
    db = await startTestDatabase('environment-air-quality-test');
    models = createModels(db.connection);
    await upsertAll(models.AirQualityStation, seed.stations);
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

  /** Ingests hourly NGSI-v2 readings of the station ending at each of `hours`; the events ingestion published. */
  const ingestHours = async (
    hours: readonly number[],
    values: (h: number) => { no2: number; pm10: number; o3: number },
  ) => {
    if (!server.ingest) throw new Error('environment has no ingest pipeline');
    const before = ingested.length;
    const outcomes = await server.ingest.ingest({
      format: 'ngsi-v2',
      entities: hours.map((h) => {
        const v = values(h);
        const quantity = (value: number) => ({
          type: 'Number',
          value,
          metadata: { unitCode: { value: 'GQ' } },
        });
        return {
          id: `AirQualityObserved-${STATION}-${hour(h).getTime()}`,
          type: 'AirQualityObserved',
          refDevice: { type: 'Relationship', value: STATION },
          dateObserved: { type: 'DateTime', value: at(h) },
          no2: quantity(v.no2),
          pm10: quantity(v.pm10),
          o3: quantity(v.o3),
        };
      }),
      source: { kind: 'partner', id: 'atmosud-test' },
      receivedAt: hour(48),
    });
    expect(outcomes.map((o) => o.status)).toEqual(hours.map(() => 'created'));
    return ingested.slice(before);
  };

  const clean = () => ({ no2: 25, pm10: 15, o3: 40 });

  it('is one of the analyses the server runs', () => {
    expect(server.analyses.map((a) => a.name)).toContain('air-quality-index');
  });

  it('announces band changes only, each with the bands it crossed into, through the publisher', async () => {
    const events = createRecordingEventPublisher();
    const analysis = createAirQualityAnalysis({
      models,
      events,
      logger: createSilentLogger(),
    });
    // A clean day: the first hour is a change from nothing, then none.
    await analysis.handle(await ingestHours([1, 2, 3, 4, 5, 6], clean));
    expect(events.published.map((e) => e.entity.id)).toEqual([
      `${STATION}@${at(1)}`,
    ]);
    await analysis.handle(
      await ingestHours(
        Array.from({ length: 14 }, (_, i) => 7 + i),
        clean,
      ),
    );
    expect(events.published).toHaveLength(1);
    // Rush hour: NO2 at 150 µg/m3 (POOR) from hour 21, one reading at a time.
    await analysis.handle(
      await ingestHours([21], () => ({ ...clean(), no2: 150 })),
    );
    await analysis.handle(
      await ingestHours([22], () => ({ ...clean(), no2: 160 })),
    );
    expect(events.published.slice(1)).toEqual([
      {
        id: `airQuality.bandChanged:${STATION}@${at(21)}/4`,
        department: 'environment',
        type: 'airQuality.bandChanged',
        entity: { type: 'AirQualityAlert', id: `${STATION}@${at(21)}` },
        district: '13205',
        occurredAt: hour(21),
        payload: {
          stationId: STATION,
          level: 4,
          band: 'POOR',
          dominantPollutant: 'NO2',
          previousLevel: 1,
          crossedInto: ['FAIR', 'MODERATE', 'POOR'],
        },
      },
    ]);
    // Back to clean air: a change down, which crosses into nothing.
    await analysis.handle(await ingestHours([23], clean));
    expect(events.published.at(-1)?.payload).toMatchObject({
      band: 'GOOD',
      previousLevel: 4,
      crossedInto: [],
    });
  });

  it('answers the hourly index with its window, pollutants and readings', async () => {
    const result = await executeAs(server, INDEX, {
      id: STATION,
      hour: at(21),
    });
    expect(result.errors).toBeUndefined();
    const index = (
      result.data?.['airQualityStation'] as {
        airQualityIndex: { readingIds: string[]; readings: { id: string }[] };
      }
    ).airQualityIndex;
    expect(index).toMatchObject({
      from: at(20),
      to: at(21),
      level: 4,
      band: 'POOR',
      dominantPollutant: 'NO2',
      station: { id: STATION },
      pollutants: [
        {
          pollutant: 'NO2',
          concentration: { value: 150, unit: 'µg/m3' },
          averaging: 'HOURLY',
          hours: 1,
          band: 'POOR',
        },
        {
          // 21 hourly values: a running mean that counts.
          pollutant: 'PM10',
          concentration: { value: 15 },
          averaging: 'RUNNING_24_HOURS',
          hours: 21,
          band: 'GOOD',
        },
        {
          pollutant: 'O3',
          concentration: { value: 40 },
          averaging: 'HOURLY',
          hours: 1,
          band: 'GOOD',
        },
      ],
    });
    expect(index.readingIds).toHaveLength(21);
    expect(index.readingIds.at(-1)).toBe(`${STATION}@${at(21)}`);
    expect(index.readings.map((r) => r.id)).toEqual(index.readingIds);
    // An instant inside the hour means that hour.
    const inside = await executeAs(server, INDEX, {
      id: STATION,
      hour: '2026-12-01T20:30:00Z',
    });
    expect(inside.data).toEqual(result.data);
    // By default: the hour of the newest reading (hour 23, clean again).
    const latest = await executeAs(server, INDEX, { id: STATION });
    expect(latest.data?.['airQualityStation']).toMatchObject({
      airQualityIndex: { to: at(23), band: 'GOOD' },
    });
    // An hour without a reading has no index.
    const none = await executeAs(server, INDEX, { id: STATION, hour: at(30) });
    expect(none.data).toEqual({ airQualityStation: { airQualityIndex: null } });
  });

  it('answers an alert by id, with both hours, and null for an hour that changed nothing', async () => {
    const result = await executeAs(server, ALERT, {
      id: `${STATION}@${at(21)}`,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.['airQualityAlert']).toMatchObject({
      id: `${STATION}@${at(21)}`,
      station: { id: STATION },
      district: { code: '13205' },
      index: {
        to: at(21),
        band: 'POOR',
        dominantPollutant: 'NO2',
      },
      previousIndex: { to: at(20), band: 'GOOD' },
    });
    const same = await executeAs(server, ALERT, {
      id: `${STATION}@${at(22)}`,
    });
    expect(same.errors).toBeUndefined();
    expect(same.data).toEqual({ airQualityAlert: null });
  });

  it('refuses a malformed alert id with BAD_USER_INPUT', async () => {
    for (const id of [
      STATION,
      `${STATION}@yesterday`,
      `${STATION}@2026-12-01T20:30:00.000Z`,
    ]) {
      const result = await executeAs(server, ALERT, { id });
      expect(result.data).toEqual({ airQualityAlert: null });
      expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    }
  });

  it('answers the indexes of every station with one read', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      `{ airQualityStations(first: 16) { nodes { id airQualityIndex(hour: "${at(21)}") { band } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(
      db.commands().filter((c) => c === 'find air_quality_observed'),
    ).toHaveLength(1);
  });
});
