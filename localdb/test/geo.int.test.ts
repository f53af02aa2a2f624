import { MongoClient, type Db } from 'mongodb';
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { codeOf, startTestDb } from './startTestDb.js';

// Real places in Marseille, [longitude, latitude] (WGS84), read off OpenStreetMap.
const VIEUX_PORT: [number, number] = [5.3745, 43.2951]; // Quai des Belges
const NOTRE_DAME_DE_LA_GARDE: [number, number] = [5.3713, 43.284];
const GARE_SAINT_CHARLES: [number, number] = [5.3806, 43.3026];
const STADE_VELODROME: [number, number] = [5.3959, 43.2698];
const CHATEAU_D_IF: [number, number] = [5.3253, 43.2799];

const places = [
  { name: 'vieux-port', at: VIEUX_PORT },
  { name: 'notre-dame', at: NOTRE_DAME_DE_LA_GARDE },
  { name: 'saint-charles', at: GARE_SAINT_CHARLES },
  { name: 'velodrome', at: STADE_VELODROME },
  { name: 'chateau-d-if', at: CHATEAU_D_IF },
];

function point(at: [number, number]): {
  type: 'Point';
  coordinates: [number, number];
} {
  return { type: 'Point', coordinates: at };
}

/** A lon/lat rectangle as a closed GeoJSON ring. */
function rect(w: number, s: number, e: number, n: number) {
  return [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ];
}

describe('localdb geo queries', () => {
  let server: LocalDb;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    server = await startTestDb();
    client = await MongoClient.connect(server.uri, {
      serverSelectionTimeoutMS: 5000,
    });
    db = client.db('geo');
    const sensors = db.collection('sensors');
    await sensors.createIndex({ location: '2dsphere' });
    await sensors.insertMany(
      places.map((p, i) => ({
        name: p.name,
        kind: i % 2 === 0 ? 'traffic' : 'air',
        location: point(p.at),
      })),
    );
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('$near returns the sensors within $maxDistance, nearest first', async () => {
    const found = await db
      .collection('sensors')
      .find({
        location: {
          $near: { $geometry: point(VIEUX_PORT), $maxDistance: 1500 },
        },
      })
      .toArray();
    expect(found.map((d) => d['name'])).toEqual([
      'vieux-port',
      'saint-charles',
      'notre-dame',
    ]);
  });

  it('$geoNear gives the Vieux-Port to Notre-Dame de la Garde distance in meters (about 1.2 km)', async () => {
    const rows = await db
      .collection('sensors')
      .aggregate([
        {
          $geoNear: {
            near: point(VIEUX_PORT),
            distanceField: 'dist.meters',
            spherical: true,
            query: { name: { $ne: 'chateau-d-if' } },
          },
        },
        { $project: { _id: 0, name: 1, dist: 1 } },
      ])
      .toArray();
    expect(rows.map((r) => r['name'])).toEqual([
      'vieux-port',
      'saint-charles',
      'notre-dame',
      'velodrome',
    ]);
    const meters = (name: string) =>
      rows.find((r) => r['name'] === name)?.['dist']['meters'] as number;
    expect(meters('vieux-port')).toBe(0);
    expect(meters('notre-dame')).toBeGreaterThan(1100);
    expect(meters('notre-dame')).toBeLessThan(1300);
    expect(meters('saint-charles')).toBeGreaterThan(900);
    expect(meters('saint-charles')).toBeLessThan(1100);
    expect(meters('velodrome')).toBeGreaterThan(3000);
    expect(meters('velodrome')).toBeLessThan(3600);
  });

  it('$geoNear honours maxDistance, minDistance, key, includeLocs and distanceMultiplier', async () => {
    const rows = await db
      .collection('sensors')
      .aggregate([
        {
          $geoNear: {
            near: point(VIEUX_PORT),
            key: 'location',
            distanceField: 'km',
            distanceMultiplier: 0.001,
            minDistance: 500,
            maxDistance: 4000,
            includeLocs: 'where',
          },
        },
      ])
      .toArray();
    expect(rows.map((r) => r['name'])).toEqual([
      'saint-charles',
      'notre-dame',
      'velodrome',
    ]);
    expect(rows[1]?.['km']).toBeGreaterThan(1.1);
    expect(rows[1]?.['km']).toBeLessThan(1.3);
    expect(rows[1]?.['where']).toEqual(point(NOTRE_DAME_DE_LA_GARDE));
  });

  it('$nearSphere with $minDistance leaves out what is too close, and combines with other conditions', async () => {
    const found = await db
      .collection('sensors')
      .find({
        kind: 'traffic',
        location: {
          $nearSphere: {
            $geometry: point(VIEUX_PORT),
            $minDistance: 100,
            $maxDistance: 5000,
          },
        },
      })
      .toArray();
    expect(found.map((d) => d['name'])).toEqual([
      'saint-charles',
      'chateau-d-if',
    ]);
  });

  it('$geoWithin $centerSphere (radians) and $geometry Polygon / MultiPolygon', async () => {
    const sensors = db.collection('sensors');
    const names = async (filter: object) =>
      (await sensors.find(filter).sort({ name: 1 }).toArray()).map(
        (d) => d['name'],
      );
    // 1.5 km around the Vieux-Port, as an angle: meters / MongoDB's earth radius.
    expect(
      await names({
        location: {
          $geoWithin: { $centerSphere: [VIEUX_PORT, 1500 / 6378100] },
        },
      }),
    ).toEqual(['notre-dame', 'saint-charles', 'vieux-port']);
    expect(
      await names({
        location: {
          $geoWithin: {
            $geometry: {
              type: 'Polygon',
              coordinates: rect(5.36, 43.29, 5.39, 43.31),
            },
          },
        },
      }),
    ).toEqual(['saint-charles', 'vieux-port']);
    expect(
      await names({
        location: {
          $geoWithin: {
            $geometry: {
              type: 'MultiPolygon',
              coordinates: [
                rect(5.36, 43.29, 5.39, 43.31),
                rect(5.39, 43.26, 5.4, 43.275),
              ],
            },
          },
        },
      }),
    ).toEqual(['saint-charles', 'velodrome', 'vieux-port']);
    // A legacy flat $box over the coordinates.
    expect(
      await names({
        location: {
          $geoWithin: {
            $box: [
              [5.37, 43.28],
              [5.375, 43.3],
            ],
          },
        },
      }),
    ).toEqual(['notre-dame', 'vieux-port']);
  });

  it('$geoIntersects matches stored polygons and lines crossing the query geometry', async () => {
    const areas = db.collection('areas');
    await areas.createIndex({ shape: '2dsphere' });
    await areas.insertMany([
      {
        name: 'vieux-port-block',
        shape: { type: 'Polygon', coordinates: rect(5.37, 43.29, 5.38, 43.3) },
      },
      {
        name: 'corniche',
        shape: {
          type: 'LineString',
          coordinates: [
            [5.355, 43.285],
            [5.365, 43.272],
          ],
        },
      },
    ]);
    const hit = await areas
      .find({ shape: { $geoIntersects: { $geometry: point(VIEUX_PORT) } } })
      .toArray();
    expect(hit.map((d) => d['name'])).toEqual(['vieux-port-block']);
    const crossing = await areas
      .find({
        shape: {
          $geoIntersects: {
            $geometry: {
              type: 'LineString',
              coordinates: [
                [5.35, 43.28],
                [5.375, 43.295],
              ],
            },
          },
        },
      })
      .sort({ name: 1 })
      .toArray();
    expect(crossing.map((d) => d['name'])).toEqual([
      'corniche',
      'vieux-port-block',
    ]);
  });

  it('refuses $near without a 2dsphere index with code 291, and $geoNear without one with code 27', async () => {
    const plain = db.collection('unindexed');
    await plain.insertOne({ location: point(VIEUX_PORT) });
    expect(
      await codeOf(
        plain
          .find({ location: { $near: { $geometry: point(VIEUX_PORT) } } })
          .toArray(),
      ),
    ).toBe(291);
    expect(
      await codeOf(
        plain
          .aggregate([
            { $geoNear: { near: point(VIEUX_PORT), distanceField: 'd' } },
          ])
          .toArray(),
      ),
    ).toBe(27);
  });

  it('refuses invalid geometries: 16755 on insert into a 2dsphere index (nothing stored), 2 in a query', async () => {
    const sensors = db.collection('sensors');
    const before = await sensors.countDocuments();
    expect(
      await codeOf(
        sensors.insertOne({
          name: 'bad',
          location: { type: 'Point', coordinates: [200, 43] },
        }),
      ),
    ).toBe(16755);
    expect(
      await codeOf(
        sensors.insertOne({
          name: 'bad',
          location: { type: 'Point', coordinates: [] },
        }),
      ),
    ).toBe(16755);
    expect(await sensors.countDocuments()).toBe(before);
    // Not closed: the last vertex differs from the first.
    expect(
      await codeOf(
        sensors
          .find({
            location: {
              $geoWithin: {
                $geometry: {
                  type: 'Polygon',
                  coordinates: [
                    [
                      [5.36, 43.29],
                      [5.39, 43.29],
                      [5.39, 43.31],
                      [5.36, 43.31],
                    ],
                  ],
                },
              },
            },
          })
          .toArray(),
      ),
    ).toBe(2);
    // A bow tie: its edges cross.
    expect(
      await codeOf(
        sensors
          .find({
            location: {
              $geoWithin: {
                $geometry: {
                  type: 'Polygon',
                  coordinates: [
                    [
                      [5.36, 43.29],
                      [5.39, 43.31],
                      [5.39, 43.29],
                      [5.36, 43.31],
                      [5.36, 43.29],
                    ],
                  ],
                },
              },
            },
          })
          .toArray(),
      ),
    ).toBe(2);
  });

  it('refuses $near where results are not sorted (countDocuments: 5626500), nested (2), and $geoNear after the first stage (40602)', async () => {
    const sensors = db.collection('sensors');
    const near = { $near: { $geometry: point(VIEUX_PORT) } };
    expect(await codeOf(sensors.countDocuments({ location: near }))).toBe(
      5626500,
    );
    expect(
      await codeOf(
        sensors.find({ $or: [{ location: near }, { name: 'x' }] }).toArray(),
      ),
    ).toBe(2);
    expect(
      await codeOf(
        sensors
          .aggregate([
            { $match: {} },
            { $geoNear: { near: point(VIEUX_PORT), distanceField: 'd' } },
          ])
          .toArray(),
      ),
    ).toBe(40602);
  });
});

describe('localdb geo queries through mongoose', () => {
  let server: LocalDb;
  let conn: Connection;

  const sensorSchema = new Schema({
    code: { type: String, required: true },
    location: {
      type: { type: String, enum: ['Point'], required: true },
      coordinates: { type: [Number], required: true },
    },
  });
  sensorSchema.index({ location: '2dsphere' });

  beforeAll(async () => {
    server = await startTestDb();
    conn = await mongoose
      .createConnection(server.uri, {
        dbName: 'mobility',
        serverSelectionTimeoutMS: 5000,
      })
      .asPromise();
  });

  afterAll(async () => {
    await conn.close();
    await server.stop();
  });

  it('builds the 2dsphere index and answers find $near / $geoWithin and Query#near', async () => {
    const Sensor = conn.model('GeoSensor', sensorSchema);
    await Sensor.init();
    const indexes = await Sensor.listIndexes();
    expect(indexes.map((i) => i['key'])).toContainEqual({
      location: '2dsphere',
    });
    await Sensor.insertMany(
      places.map((p) => ({ code: p.name, location: point(p.at) })),
    );
    const nearby = await Sensor.find({
      location: {
        $near: { $geometry: point(VIEUX_PORT), $maxDistance: 1300 },
      },
    }).lean();
    expect(nearby.map((s) => s.code)).toEqual([
      'vieux-port',
      'saint-charles',
      'notre-dame',
    ]);
    const viaQuery = await Sensor.find()
      .where('location')
      .near({
        center: point(NOTRE_DAME_DE_LA_GARDE),
        maxDistance: 1300,
        spherical: true,
      })
      .lean();
    expect(viaQuery.map((s) => s.code)).toEqual(['notre-dame', 'vieux-port']);
    const inside = await Sensor.find({
      location: {
        $geoWithin: { $centerSphere: [STADE_VELODROME, 0.5 / 6378.1] },
      },
    }).lean();
    expect(inside.map((s) => s.code)).toEqual(['velodrome']);
  });

  it('rejects saving an invalid point with MongoDB 16755 through mongoose', async () => {
    const Sensor =
      conn.models['GeoSensor'] ?? conn.model('GeoSensor', sensorSchema);
    await expect(
      Sensor.create({
        code: 'nowhere',
        location: { type: 'Point', coordinates: [5.37, 95] },
      }),
    ).rejects.toMatchObject({ code: 16755 });
    expect(await Sensor.countDocuments({ code: 'nowhere' })).toBe(0);
  });
});
