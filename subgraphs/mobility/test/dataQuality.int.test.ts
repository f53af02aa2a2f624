import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const HOUR = 3_600_000;
// A whole hour three hours back: the batches are dated inside it.
const H = new Date(Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR);
const at = (minutes: number) => new Date(H.getTime() + minutes * 60_000);

/** A TrafficFlowObserved (NGSI-LD normalized) of `sensor` over the 5 minutes before `to`. */
function flow(
  sensor: string,
  to: Date,
  values: { intensity?: number; speed?: number; occupancy?: number } = {},
): Record<string, unknown> {
  const from = new Date(to.getTime() - 5 * 60_000);
  return {
    id: `urn:ngsi-ld:TrafficFlowObserved:${sensor}-${to.toISOString()}`,
    type: 'TrafficFlowObserved',
    refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${sensor}` },
    dateObserved: {
      type: 'Property',
      value: `${from.toISOString()}/${to.toISOString()}`,
    },
    intensity: { type: 'Property', value: values.intensity ?? 40 },
    averageVehicleSpeed: {
      type: 'Property',
      value: values.speed ?? 42,
      unitCode: 'KMH',
    },
    occupancy: { type: 'Property', value: values.occupancy ?? 0.3 },
    '@context': [
      'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
    ],
  };
}

const QUERY = /* GraphQL */ `
  query ($range: TimeRangeInput!, $source: String) {
    mobilityDataQuality(range: $range, source: $source) {
      entityType
      source {
        kind
        id
      }
      from
      to
      received
      accepted
      flagged
      flags {
        flag
        count
      }
      rejected
      rejections {
        reason
        count
      }
      duplicates
      failed
      replayed
      validity
      completeness
      devices
      freshness
      recordScore
      score
    }
  }
`;

type Report = Record<string, unknown> & {
  entityType: string;
  source: { kind: string; id: string } | null;
};

describe('mobility data-quality view', () => {
  let db: TestDatabase;
  let models: MobilityModels;
  let server: ReturnType<typeof createServer>;
  const sensors = generateMobilitySeed().sensors.filter(
    (s) => s.district === '13201',
  );
  const [first, second] = sensors.map((s) => s._id);
  const staff = createViewer('agent-1', ['mobility:staff']);
  const auditor = createViewer('auditor-1', ['audit:read']);

  const ingest = (entities: unknown[], overrides: Partial<IngestBatch>) => {
    if (!server.ingest) throw new Error('mobility has no ingest pipeline');
    return server.ingest.ingest({
      format: 'ngsi-ld',
      entities,
      source: { kind: 'partner', id: 'partner-traffic' },
      receivedAt: at(50),
      ...overrides,
    });
  };

  const view = async (
    variables: Record<string, unknown>,
    viewer = staff,
  ): Promise<Report[]> => {
    const result = await executeAs(server, QUERY, variables, viewer);
    expect(result.errors).toBeUndefined();
    return result.data?.['mobilityDataQuality'] as Report[];
  };
  const hourRange = { from: H.toISOString(), to: at(60).toISOString() };

  beforeAll(async () => {
    db = await startTestDatabase('mobility-data-quality-test');
    models = createModels(db.connection);
    await upsertAll(models.TrafficSensor, sensors);
    server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events: { async publish() {} },
    });
    await server.apollo.start();
    if (!first || !second) throw new Error('the seed has two sensors in 13201');

    // One partner batch: three new readings of one sensor (one of them
    // implausibly fast), one of a device nobody registered, one with an
    // impossible occupancy.
    const outcomes = await ingest(
      [
        flow(first, at(10)),
        flow(first, at(25)),
        flow(first, at(40), { speed: 150 }),
        flow('mob-ts-99999-99', at(40)),
        flow(first, at(45), { occupancy: 2 }),
      ],
      {},
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'created',
      'created',
      'created',
      'rejected',
      'rejected',
    ]);
    // The partner retries the first reading: stored once, counted a duplicate.
    const [again] = await ingest([flow(first, at(10))], {
      receivedAt: at(55),
    });
    expect(again?.status).toBe('duplicate');
    // A device reports now (another hour, outside the range): its sensor is fresh.
    const now = new Date();
    const [live] = await ingest(
      [flow(second, new Date(now.getTime() - 60_000))],
      { source: { kind: 'device', id: second }, receivedAt: now },
    );
    expect(live?.status).toBe('created');
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  it('counts one upsert per source, type and hour, not a document per record', async () => {
    const buckets = await models.IngestStat.find({}).lean().exec();
    // The partner's hour, and the device's hour (devices count as one source).
    expect(
      buckets.map((b) => `${b.type} ${b.source.kind}:${b.source.id}`),
    ).toEqual(
      expect.arrayContaining([
        'TrafficFlowObserved partner:partner-traffic',
        'TrafficFlowObserved device:mqtt',
      ]),
    );
    expect(buckets).toHaveLength(2);
  });

  it("answers a source's received, accepted, flagged, rejected and duplicates over the range", async () => {
    const [row, ...others] = await view({
      range: hourRange,
      source: 'partner-traffic',
    });
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      entityType: 'TrafficFlowObserved',
      source: { kind: 'PARTNER', id: 'partner-traffic' },
      from: H.toISOString(),
      to: at(60).toISOString(),
      received: 6,
      accepted: 4,
      flagged: 1,
      flags: [{ flag: 'IMPLAUSIBLE_VALUE', count: 1 }],
      rejected: 2,
      rejections: [
        { reason: 'OUT_OF_RANGE', count: 1 },
        { reason: 'UNKNOWN_DEVICE', count: 1 },
      ],
      duplicates: 1,
      failed: 0,
      replayed: 0,
      validity: 0.667,
      // 3 of the 4 readings expected of that sensor in an hour (every 15 min).
      completeness: 0.75,
      devices: 1,
      freshness: null,
      // Three clean records (1) and the implausible one (0.7).
      recordScore: 0.925,
    });
    expect(row?.['score']).toBeCloseTo(0.667 * 0.925 * 0.75, 3);
  });

  it('adds up every source of a type over every registered device, with its freshness', async () => {
    const rows = await view({ range: hourRange });
    const all = rows.find(
      (r) => r.entityType === 'TrafficFlowObserved' && r.source === null,
    );
    expect(all).toMatchObject({
      received: 6,
      accepted: 4,
      devices: sensors.length,
      completeness: Math.round((0.75 / sensors.length) * 1000) / 1000,
      // Only the sensor that reported a minute ago is not stale.
      freshness: Math.round((1 / sensors.length) * 1000) / 1000,
    });
    // Every type mobility ingests has its all-sources row, even with nothing received.
    expect(
      rows.filter((r) => r.source === null).map((r) => r.entityType),
    ).toEqual([
      'TrafficFlowObserved',
      'BikeHireDockingStation',
      'Device',
      'GtfsStop',
      'GtfsRoute',
    ]);
    expect(
      rows.find((r) => r.entityType === 'GtfsStop' && r.source === null),
    ).toMatchObject({ received: 0, validity: null, completeness: null });
  });

  it('counts a replayed quarantine record as replayed, not as received again', async () => {
    const [open] = await models.QuarantinedRecord.find({
      reason: 'UNKNOWN_DEVICE',
    })
      .lean()
      .exec();
    if (!open) throw new Error('the unknown device was quarantined');
    const result = await executeAs(
      server,
      `mutation ($ids: [ID!]!) { replayMobilityQuarantine(ids: $ids) { outcome } }`,
      { ids: [open._id] },
      staff,
    );
    expect(result.errors).toBeUndefined();
    const now = new Date();
    const [row] = await view({
      range: {
        from: new Date(now.getTime() - HOUR).toISOString(),
        to: new Date(now.getTime() + HOUR).toISOString(),
      },
      source: 'partner-traffic',
    });
    expect(row).toMatchObject({ received: 0, replayed: 1, rejected: 0 });
  });

  it('lets auditors read it, and refuses other callers and bad ranges with a code', async () => {
    expect(await view({ range: hourRange }, auditor)).not.toHaveLength(0);
    const citizen = await executeAs(
      server,
      QUERY,
      { range: hourRange },
      createViewer('citizen-1', ['citizen']),
    );
    expect(citizen.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    for (const range of [
      { from: H.toISOString() },
      { from: at(60).toISOString(), to: H.toISOString() },
      { from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' },
    ]) {
      const bad = await executeAs(server, QUERY, { range }, staff);
      expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    }
  });
});
