import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createModels } from '../src/models/index.js';
import { generateMobilitySeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const SENSOR = 'mob-ts-13201-01';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

function flowObserved(to: Date): Record<string, unknown> {
  return {
    id: `urn:ngsi-ld:TrafficFlowObserved:${SENSOR}-${to.toISOString()}`,
    type: 'TrafficFlowObserved',
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${SENSOR}` },
    dateObserved: { type: 'Property', value: to.toISOString() },
    intensity: { type: 'Property', value: 300 },
    occupancy: { type: 'Property', value: 0.2 },
  };
}

describe('mobility raw readings: a time-series collection with raw retention', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  const newest = hoursAgo(1);

  beforeAll(async () => {
    // A one-day retention, and localdb's TTL monitor every 20 ms.
    db = await startTestDatabase('mobility-retention-test', {
      ttlIntervalMs: 20,
    });
    const models = createModels(db.connection, { rawRetentionDays: 1 });
    await upsertAll(
      models.TrafficSensor,
      generateMobilitySeed().sensors.filter((s) => s._id === SENSOR),
    );
    server = createServer(
      {
        connection: db.connection,
        logger: createSilentLogger(),
        events: createRecordingEventPublisher(),
      },
      { readings: { rawRetentionDays: 1 } },
    );
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  const ingest = (entities: unknown[]) => {
    if (!server.ingest) throw new Error('mobility has no ingest pipeline');
    return server.ingest.ingest({
      format: 'ngsi-ld',
      entities,
      source: { kind: 'partner', id: 'partner-test' },
      receivedAt: new Date(),
    });
  };

  const readingIds = async () => {
    const result = await executeAs(
      server,
      `{ trafficSensor(id: "${SENSOR}") { readings(first: 10) { edges { node { id } } } latestReading { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    const sensor = result.data?.['trafficSensor'] as {
      readings: { edges: { node: { id: string } }[] };
      latestReading: { id: string } | null;
    };
    return {
      ids: sensor.readings.edges.map((e) => e.node.id),
      latest: sensor.latestReading?.id ?? null,
    };
  };

  it('is created by its model as a time-series collection on observedAt and device, expiring after the retention', async () => {
    await ingest([flowObserved(newest)]);
    const [info] = await db.connection
      .db!.listCollections({ name: 'traffic_flow_readings' })
      .toArray();
    expect(info).toMatchObject({
      type: 'timeseries',
      options: {
        timeseries: {
          timeField: 'observedAt',
          metaField: 'device',
          granularity: 'minutes',
        },
        expireAfterSeconds: 86_400,
      },
    });
    const stored = await db.connection
      .db!.collection('traffic_flow_readings')
      .findOne({ 'device.id': SENSOR });
    expect(stored).toMatchObject({
      device: { id: SENSOR, district: '13201' },
    });
    expect(stored).not.toHaveProperty('sensorId');
    expect(stored).not.toHaveProperty('district');
  });

  it('removes raw readings past the retention by TTL; the current state and newer readings stay', async () => {
    const old = hoursAgo(30);
    const recent = hoursAgo(2);
    const outcomes = await ingest([flowObserved(old), flowObserved(recent)]);
    expect(outcomes.map((o) => o.status)).toEqual(['created', 'created']);
    const oldId = `${SENSOR}@${old.toISOString()}`;
    const recentId = `${SENSOR}@${recent.toISOString()}`;
    await expect
      .poll(async () => (await readingIds()).ids.includes(oldId), {
        timeout: 10_000,
      })
      .toBe(false);
    const after = await readingIds();
    expect(after.ids).toContain(recentId);
    expect(after.latest).toBe(`${SENSOR}@${newest.toISOString()}`);
    // Its key outlives it: the same reading sent again is still a duplicate.
    expect((await ingest([flowObserved(old)]))[0]?.status).toBe('duplicate');
  });
});
