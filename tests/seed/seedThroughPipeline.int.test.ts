import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import { createViewer } from '../../lib/runtime/viewer.js';
import { seedSource } from '../../lib/subgraph-kit/provenance.js';
import {
  assessSeedObservations,
  SEED_WINDOW,
} from '../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../lib/tooling/testing/testDatabase.js';
import { generateEngagementSeed } from '../../subgraphs/engagement/src/seed.js';
import { generateEnvironmentSeed } from '../../subgraphs/environment/src/seed.js';
import { airQualityObservedSpec } from '../../subgraphs/environment/src/ingest/AirQualityObserved.js';
import { trafficFlowObservedSpec } from '../../subgraphs/mobility/src/ingest/TrafficFlowObserved.js';
import {
  createModels,
  type MobilityModels,
} from '../../subgraphs/mobility/src/models/index.js';
import {
  generateMobilitySeed,
  seedMobility,
} from '../../subgraphs/mobility/src/seed.js';
import { createServer } from '../../subgraphs/mobility/src/server.js';

describe('assessSeedObservations', () => {
  it("gives each seeded reading the pipeline's quality: an air-quality reading without SO2, CO, NO and NOx is INCOMPLETE", () => {
    const data = generateEnvironmentSeed();
    const docs = data.airQuality.slice(0, 3);
    assessSeedObservations(
      {
        spec: airQualityObservedSpec,
        devices: data.stations,
        source: seedSource('environment'),
      },
      docs,
    );
    // 4 of its 8 pollutants (NO2, PM10, PM2.5, O3).
    expect(docs.map((d) => d.quality)).toEqual(
      docs.map(() => ({ flags: ['INCOMPLETE'], score: 0.5 })),
    );
  });

  it('refuses a seed whose reading the checks reject, naming it and why', () => {
    const data = generateMobilitySeed();
    const [reading] = data.readings;
    if (!reading) throw new Error('the seed has readings');
    expect(() =>
      assessSeedObservations(
        {
          spec: trafficFlowObservedSpec,
          devices: [],
          source: seedSource('mobility'),
        },
        [reading],
      ),
    ).toThrow(
      new RegExp(
        `TrafficFlowObserved ${reading._id} rejected .*UNKNOWN_DEVICE`,
      ),
    );
  });
});

describe('seeded citizen reports', () => {
  it('carry the seed as their source, received when filed', () => {
    const reports = generateEngagementSeed().reports;
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports)
      expect(report).toMatchObject({
        source: { kind: 'seed', id: 'seed:engagement' },
        receivedAt: report.requestedDatetime,
      });
  });
});

describe('the seed in the data-quality view', () => {
  let db: TestDatabase;
  let models: MobilityModels;
  let server: ReturnType<typeof createServer>;
  const readings = generateMobilitySeed().readings.length;
  const staff = createViewer('agent-1', ['mobility:staff']);
  const view = async () => {
    const result = await executeAs(
      server,
      /* GraphQL */ `
        query ($range: TimeRangeInput!) {
          mobilityDataQuality(range: $range, source: "seed:mobility") {
            entityType
            source {
              kind
              id
            }
            received
            accepted
            flagged
            rejected
            duplicates
            validity
            completeness
            recordScore
          }
        }
      `,
      {
        range: {
          from: SEED_WINDOW.from.toISOString(),
          to: SEED_WINDOW.to.toISOString(),
        },
      },
      staff,
    );
    expect(result.errors).toBeUndefined();
    return result.data?.['mobilityDataQuality'] as Record<string, unknown>[];
  };

  beforeAll(async () => {
    db = await startTestDatabase('seed-pipeline-test');
    models = createModels(db.connection);
    await seedMobility(models);
    server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events: { async publish() {} },
    });
    await server.apollo.start();
  }, 120_000);
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  it('counts every seeded reading under the source seed:mobility, complete and valid', async () => {
    const rows = await view();
    // The window's last reading is at its end (an hour the range leaves out).
    const inRange = readings - 144;
    expect(rows).toEqual([
      {
        entityType: 'TrafficFlowObserved',
        source: { kind: 'SEED', id: 'seed:mobility' },
        received: inRange,
        accepted: inRange,
        flagged: 0,
        rejected: 0,
        duplicates: 0,
        validity: 1,
        completeness: expect.closeTo(1, 2) as unknown,
        recordScore: 1,
      },
    ]);
  });

  it('counts nothing twice when the seed runs again', async () => {
    const before = await models.IngestStat.find({}).lean().exec();
    await seedMobility(models);
    const after = await models.IngestStat.find({}).lean().exec();
    expect(after).toEqual(before);
  }, 120_000);

  it("stores each reading with the pipeline's quality and the seed's source", async () => {
    const sensor = await models.TrafficSensor.findById('mob-ts-13201-01')
      .lean()
      .exec();
    expect(sensor?.latest).toMatchObject({
      source: { kind: 'seed', id: 'seed:mobility' },
      quality: { flags: [], score: 1 },
    });
  });
});
