import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceMetres } from '../../../lib/ingest/validateObservation.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { EARTH_RADIUS_METERS } from '../../../lib/subgraph-kit/nearbyLoader.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createModels, type MobilityModels } from '../src/models/index.js';
import { generateMobilitySeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const NEARBY = /* GraphQL */ `
  query ($r: [_Any!]!, $radius: Int, $first: Int) {
    _entities(representations: $r) {
      ... on AirQualityStation {
        nearbyTrafficSensors(radiusMeters: $radius, first: $first) {
          id
          district {
            code
          }
        }
      }
    }
  }
`;

/** Three points of the city: the Vieux-Port, Saint-Charles, the Prado beaches. */
const POINTS = [
  { id: 'env-aq-13201', location: { lat: 43.2965, lon: 5.3698 } },
  { id: 'env-aq-13203', location: { lat: 43.3027, lon: 5.3806 } },
  { id: 'env-aq-13208', location: { lat: 43.2601, lon: 5.3751 } },
];

const representation = (point: (typeof POINTS)[number]) => ({
  __typename: 'AirQualityStation',
  id: point.id,
  location: point.location,
});

describe('AirQualityStation.nearbyTrafficSensors (mobility, from positions)', () => {
  let db: TestDatabase;
  let models: MobilityModels;
  let server: ReturnType<typeof createServer>;
  const seed = generateMobilitySeed();

  /** The same answer by brute force over every seeded sensor. */
  const bruteForce = (
    at: { lat: number; lon: number },
    radius: number,
    first: number,
  ) =>
    seed.sensors
      .map((s) => ({
        id: s._id,
        // distanceMetres uses the mean radius; MongoDB's is 6,378,100 m.
        meters:
          (distanceMetres(at, s.location) * EARTH_RADIUS_METERS) / 6_371_000,
      }))
      .filter((s) => s.meters <= radius)
      .sort((a, b) => a.meters - b.meters || a.id.localeCompare(b.id))
      .slice(0, first)
      .map((s) => s.id);

  beforeAll(async () => {
    db = await startTestDatabase('mobility-nearby-test');
    models = createModels(db.connection);
    await models.TrafficSensor.init();
    await upsertAll(models.TrafficSensor, seed.sensors);
    await upsertAll(models.TransitStop, seed.stops);
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

  it('stores each sensor position as a GeoJSON point under a 2dsphere index', async () => {
    const sensor = await models.TrafficSensor.findById('mob-ts-13201-01')
      .lean()
      .exec();
    expect(sensor?.position).toEqual({
      type: 'Point',
      coordinates: [sensor?.location.lon, sensor?.location.lat],
    });
    const indexes = await db.connection.collection('traffic_sensors').indexes();
    expect(indexes.map((i) => i.key)).toContainEqual({ position: '2dsphere' });
  });

  it('answers the sensors within the radius, nearest first, of any district, for many stations in one query', async () => {
    db.resetCommands();
    const result = await executeAs(server, NEARBY, {
      r: POINTS.map(representation),
      radius: 1500,
      first: 50,
    });
    expect(result.errors).toBeUndefined();
    const answers = (
      result.data?.['_entities'] as {
        nearbyTrafficSensors: { id: string; district: { code: string } }[];
      }[]
    ).map((e) => e.nearbyTrafficSensors.map((s) => s.id));
    expect(answers).toEqual(
      POINTS.map((p) => bruteForce(p.location, 1500, 50)),
    );
    // Not a stored list of the station's district: neighbours count too.
    expect(new Set(answers.flat().map((id) => id.slice(7, 12))).size).toBe(
      new Set(
        POINTS.flatMap((p) => bruteForce(p.location, 1500, 50)).map((id) =>
          id.slice(7, 12),
        ),
      ).size,
    );
    expect(answers.every((a) => a.length > 0)).toBe(true);
    expect(db.commands()).toEqual(['find traffic_sensors']);
  });

  it('applies the defaults (1,000 m, 8 sensors) and `first`', async () => {
    const result = await executeAs(server, NEARBY, {
      r: [representation(POINTS[0] as (typeof POINTS)[number])],
    });
    const [station] = result.data?.['_entities'] as {
      nearbyTrafficSensors: { id: string }[];
    }[];
    expect(station?.nearbyTrafficSensors.map((s) => s.id)).toEqual(
      bruteForce((POINTS[0] as (typeof POINTS)[number]).location, 1000, 8),
    );
    const one = await executeAs(server, NEARBY, {
      r: [representation(POINTS[0] as (typeof POINTS)[number])],
      radius: 5000,
      first: 1,
    });
    expect(
      (one.data?.['_entities'] as { nearbyTrafficSensors: unknown[] }[])[0]
        ?.nearbyTrafficSensors,
    ).toHaveLength(1);
  });

  it('follows a sensor that moves: nearby is computed, not stored', async () => {
    const far = { lat: 43.2301, lon: 5.4402 }; // no seeded sensor within 300 m
    const ask = async () =>
      (
        (
          await executeAs(server, NEARBY, {
            r: [{ __typename: 'AirQualityStation', id: 'x', location: far }],
            radius: 300,
          })
        ).data?.['_entities'] as { nearbyTrafficSensors: { id: string }[] }[]
      )[0]?.nearbyTrafficSensors;
    expect(await ask()).toEqual([]);
    const sensor =
      await models.TrafficSensor.findById('mob-ts-13209-08').exec();
    const before = sensor?.location;
    if (!sensor || !before) throw new Error('seeded sensor missing');
    sensor.location = { lat: far.lat + 0.001, lon: far.lon };
    await sensor.save();
    try {
      expect(await ask()).toEqual([
        { id: 'mob-ts-13209-08', district: { code: '13209' } },
      ]);
    } finally {
      sensor.location = before;
      await sensor.save();
    }
  });

  it('refuses a radius or a count out of bounds with BAD_USER_INPUT, and a representation without location', async () => {
    for (const args of [
      { radius: 0 },
      { radius: 5001 },
      { first: 0 },
      { first: 51 },
    ]) {
      const result = await executeAs(server, NEARBY, {
        r: [representation(POINTS[0] as (typeof POINTS)[number])],
        ...args,
      });
      expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(
        /^(radiusMeters|first) must be a whole number from 1 to/,
      );
    }
    const result = await executeAs(server, NEARBY, {
      r: [{ __typename: 'AirQualityStation', id: 'env-aq-13201' }],
    });
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
  it('answers the transit stop nearest each innovation hub, one query for many hubs, null when none is within 3 km', async () => {
    const stops = seed.stops.slice(0, 3);
    // A hub 50 m north of each of three stops, and one out at sea.
    const hubs = [
      ...stops.map((stop, n) => ({
        __typename: 'InnovationHub',
        id: `eco-hub-${n + 1}`,
        location: { lat: stop.location.lat + 0.00045, lon: stop.location.lon },
      })),
      {
        __typename: 'InnovationHub',
        id: 'eco-hub-9',
        location: { lat: 43.15, lon: 5.2 },
      },
    ];
    db.resetCommands();
    const result = await executeAs(
      server,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on InnovationHub { nearestTransitStop { id } } } }',
      { r: hubs },
    );
    expect(result.errors).toBeUndefined();
    const nearestOf = (at: { lat: number; lon: number }) =>
      [...seed.stops].sort(
        (a, b) =>
          distanceMetres(at, a.location) - distanceMetres(at, b.location),
      )[0]?._id;
    expect(result.data?.['_entities']).toEqual([
      ...hubs.slice(0, 3).map((hub) => ({
        nearestTransitStop: { id: nearestOf(hub.location) },
      })),
      { nearestTransitStop: null },
    ]);
    expect(db.commands()).toEqual(['find transit_stops']);
  });
});
