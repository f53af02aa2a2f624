import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSubgraphContractSuite } from '../../../lib/tooling/testing/defineSubgraphContractSuite.js';
import { districtEntities } from '../../../lib/tooling/testing/districtEntities.js';
import {
  executeAs,
  type TestResult,
} from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import { createServer } from '../src/server.js';
import { createModels } from '../src/models/index.js';
import { generateMobilitySeed } from '../src/seed.js';
import { seedCount } from '../../../lib/subgraph-kit/seedPlan.js';
import { seedReadings, upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';

/** What the resolvers under test publish. */
const events = createRecordingEventPublisher();

defineSubgraphContractSuite({ name: 'mobility', createServer });

describe('mobility subgraph', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  const seed = generateMobilitySeed();

  beforeAll(async () => {
    db = await startTestDatabase('mobility-test');
    const models = createModels(db.connection);
    await upsertAll(models.TrafficSensor, seed.sensors);
    await seedReadings(
      {
        readings: models.TrafficFlowReading,
        keys: models.ReadingKey,
        logger: createSilentLogger(),
      },
      seed.readings.filter((r) => r.device.id.startsWith('mob-ts-13201')),
    );
    await upsertAll(models.TrafficLight, seed.lights);
    await upsertAll(models.TransitLine, seed.lines);
    await upsertAll(models.TransitStop, seed.stops);
    await upsertAll(models.BikeStation, seed.bikes);
    server = createServer({
      connection: db.connection,
      events,
      logger: createSilentLogger(),
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  it('resolves 144 TrafficSensor references with one database query', async () => {
    const representations = seed.sensors.map((s) => ({
      __typename: 'TrafficSensor',
      id: s._id,
    }));
    db.resetCommands();
    const result = await executeAs(
      server,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on TrafficSensor { id roadName } } }',
      { r: representations },
    );
    expect(result.errors).toBeUndefined();
    expect((result.data?.['_entities'] as unknown[]).length).toBe(144);
    expect(db.commands()).toEqual(['find traffic_sensors']);
  });

  it("pages through a sensor's readings newest first without overlap", async () => {
    const query = /* GraphQL */ `
      query ($id: ID!, $after: String) {
        trafficSensor(id: $id) {
          readings(
            first: 50
            after: $after
            range: { from: "2026-11-22T00:00:00Z" }
          ) {
            nodes {
              id
              observedAt
              intensity {
                value
                unit
              }
            }
            pageInfo {
              hasNextPage
              endCursor
            }
            totalCount
          }
        }
      }
    `;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: TestResult = await executeAs(server, query, {
        id: 'mob-ts-13201-01',
        after,
      });
      expect(result.errors).toBeUndefined();
      const page: {
        nodes: { id: string; observedAt: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
        totalCount: number;
      } = (
        result.data?.['trafficSensor'] as {
          readings: {
            nodes: { id: string; observedAt: string }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
            totalCount: number;
          };
        }
      ).readings;
      expect(page.totalCount).toBe(97);
      seen.push(...page.nodes.map((n) => n.observedAt));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.length).toBe(97);
    expect(new Set(seen).size).toBe(97);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('rejects a page size over the maximum with BAD_USER_INPUT', async () => {
    const result = await executeAs(
      server,
      '{ trafficSensors(first: 1000) { nodes { id } } }',
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('rejects an unknown district code with BAD_USER_INPUT', async () => {
    const result = await executeAs(
      server,
      '{ trafficSensors(district: "75001") { nodes { id } } }',
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('13201');
  });

  it("pages the readings of a district's sensors with one query for all of them", async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      /* GraphQL */ `
        {
          district: ${districtEntities(['13201'])} {
            ... on District {
            trafficSensors(first: 8) {
              nodes {
                id
                readings(first: 24) {
                  nodes {
                    observedAt
                  }
                  pageInfo {
                    hasNextPage
                  }
                }
              }
            }
            }
          }
        }
      `,
    );
    expect(result.errors).toBeUndefined();
    const sensors = (
      (result.data?.['district'] as unknown[])[0] as {
        trafficSensors: {
          nodes: {
            readings: {
              nodes: { observedAt: string }[];
              pageInfo: { hasNextPage: boolean };
            };
          }[];
        };
      }
    ).trafficSensors.nodes;
    expect(sensors).toHaveLength(8);
    for (const sensor of sensors) {
      const times = sensor.readings.nodes.map((n) => n.observedAt);
      expect(times).toHaveLength(24);
      expect([...times].sort().reverse()).toEqual(times);
      expect(sensor.readings.pageInfo.hasNextPage).toBe(true);
    }
    expect(db.commands().sort()).toEqual([
      'aggregate traffic_flow_readings',
      'aggregate traffic_sensors',
    ]);
  });

  it("summarizes congestion of a district from each sensor's latest reading", async () => {
    const result = await executeAs(
      server,
      `{ district: ${districtEntities(['13201'])} { ... on District { congestion { sensorCount observedAt averageSpeed { unit } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect((result.data?.['district'] as unknown[])[0]).toEqual({
      congestion: {
        sensorCount: seedCount('trafficSensors', '13201'),
        observedAt: '2026-11-23T00:00:00.000Z',
        averageSpeed: { unit: 'km/h' },
      },
    });
  });

  it('hides signal plans from anonymous callers and shows them to mobility staff', async () => {
    const query =
      '{ trafficLight(id: "mob-tl-13201-01") { id status signalPlan { cycleSeconds } } }';
    const anonymous = await executeAs(server, query);
    expect(anonymous.data?.['trafficLight']).toMatchObject({
      id: 'mob-tl-13201-01',
      signalPlan: null,
    });
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const staff = await executeAs(
      server,
      query,
      {},
      createViewer('agent-1', ['mobility:staff']),
    );
    expect(staff.errors).toBeUndefined();
    expect(staff.data?.['trafficLight']).toMatchObject({
      signalPlan: { cycleSeconds: 90 },
    });
  });

  it('refuses an invalid signal plan with every problem listed and changes nothing', async () => {
    const controller = createViewer('ctl-1', [
      'mobility:control',
      'mobility:staff',
    ]);
    const result = await executeAs(
      server,
      'mutation($p: SignalPlanInput!) { setSignalPlan(trafficLightId: "mob-tl-13201-01", plan: $p) { id } }',
      {
        p: {
          name: 'x',
          cycleSeconds: 20,
          phases: [{ name: 'a', greenSeconds: 200 }],
        },
      },
      controller,
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(
      /cycleSeconds.*2 to 8 phases.*greenSeconds/,
    );
    // Nothing changed, so nothing is announced.
    expect(
      events.published.filter((e) => e.entity.id === 'mob-tl-13201-01'),
    ).toEqual([]);
    const after = await executeAs(
      server,
      '{ trafficLight(id: "mob-tl-13201-01") { signalPlan { cycleSeconds } } }',
      {},
      controller,
    );
    expect(after.data?.['trafficLight']).toEqual({
      signalPlan: { cycleSeconds: 90 },
    });
  });

  it('puts a valid signal plan in force for traffic control staff', async () => {
    const controller = createViewer('ctl-1', ['mobility:control']);
    const result = await executeAs(
      server,
      'mutation($p: SignalPlanInput!) { setSignalPlan(trafficLightId: "mob-tl-13201-02", plan: $p) { id } }',
      {
        p: {
          name: 'Plan soir',
          cycleSeconds: 100,
          phases: [
            { name: 'a', greenSeconds: 50 },
            { name: 'b', greenSeconds: 40 },
          ],
        },
      },
      controller,
    );
    expect(result.errors).toBeUndefined();
    const light = await createModels(db.connection)
      .TrafficLight.findById('mob-tl-13201-02')
      .lean()
      .exec();
    expect(light?.signalPlan).toMatchObject({
      name: 'Plan soir',
      cycleSeconds: 100,
      updatedBy: 'ctl-1',
    });
    // The change is announced to the live city, with no plan details.
    expect(
      events.published.filter((e) => e.entity.id === 'mob-tl-13201-02'),
    ).toEqual([
      {
        id: `mob-tl-13201-02@signalPlan/${light?.signalPlan?.planId}`,
        department: 'mobility',
        type: 'signalPlan.changed',
        entity: { type: 'TrafficLight', id: 'mob-tl-13201-02' },
        district: '13201',
        occurredAt: light?.signalPlan?.validFrom,
        payload: { planId: light?.signalPlan?.planId },
      },
    ]);
  });

  it('computes a district congestion window from its readings, saying which', async () => {
    const result = await executeAs(
      server,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on District {
        congestionWindow(minutes: 15, at: "2026-11-20T07:30:00.000Z") {
          minutes from to readingCount level averageOccupancy sensors { id }
        }
        wrong: congestionWindow(minutes: 7) { level }
      } } }`,
      { r: [{ __typename: 'District', code: '13201' }] },
    );
    const window = (
      result.data?.['_entities'] as Record<string, unknown>[]
    )[0]?.['congestionWindow'] as Record<string, unknown>;
    const expected = seed.readings.filter(
      (r) =>
        r.device.district === '13201' &&
        r.observedAt > new Date('2026-11-20T07:15:00.000Z') &&
        r.observedAt <= new Date('2026-11-20T07:30:00.000Z'),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(window).toMatchObject({
      minutes: 15,
      from: '2026-11-20T07:15:00.000Z',
      to: '2026-11-20T07:30:00.000Z',
      readingCount: expected.length,
    });
    expect(window['averageOccupancy']).toBeCloseTo(
      expected.reduce((sum, r) => sum + (r.occupancy ?? 0), 0) /
        expected.length,
    );
    expect((window['sensors'] as { id: string }[]).map((s) => s.id)).toEqual(
      [...new Set(expected.map((r) => r.device.id))].sort(),
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.path).toEqual(['_entities', 0, 'wrong']);
  });

  it('refuses a plan on a light under maintenance and reports the denial with its document rule', async () => {
    const light = seed.lights.find((l) => l.status === 'MAINTENANCE');
    if (!light) throw new Error('the seed has no light under maintenance');
    const controller = createViewer('ctl-1', ['mobility:control']);
    const response = await server.apollo.executeOperation(
      {
        query:
          'mutation($id: ID!, $p: SignalPlanInput!) { setSignalPlan(trafficLightId: $id, plan: $p) { id } }',
        variables: {
          id: light._id,
          p: {
            name: 'Plan soir',
            cycleSeconds: 100,
            phases: [
              { name: 'a', greenSeconds: 50 },
              { name: 'b', greenSeconds: 40 },
            ],
          },
        },
      },
      {
        contextValue: server.createContext({
          viewer: controller,
          requestId: 'test-maintenance',
          logger: createSilentLogger(),
          auditEvent: 'test-maintenance',
        }),
      },
    );
    if (response.body.kind !== 'single') throw new Error('expected single');
    const result = response.body.singleResult;
    expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    // What the gateway builds the audit event from: denied, by the rule of
    // the data, not allowed by the scope that let the call through.
    expect(result.extensions?.['cityAccess']).toEqual({
      decisions: [
        {
          coordinate: 'Mutation.setSignalPlan',
          decision: 'denied',
          rule: 'document rule canControlTrafficLight (no new plan on a light under maintenance)',
        },
      ],
      records: [],
    });
  });
});
