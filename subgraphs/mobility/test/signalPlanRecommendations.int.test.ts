import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import { seedReadings, upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { recommendSignalPlan } from '../src/analysis/signalPlanRecommendation.js';
import {
  createModels,
  type MobilityModels,
  type TrafficLightDoc,
} from '../src/models/index.js';
import { createServer } from '../src/server.js';
import { rushHour, rushHourAt as at } from './fixtures/rushHour.js';

/** The light of the replayed rush hour, at the Vieux-Port. */
const LIGHT: TrafficLightDoc = {
  _id: 'mob-tl-13201-90',
  name: 'Feu Quai du Port / La Canebière',
  intersection: 'Quai du Port x La Canebière',
  location: { lat: 43.2965, lon: 5.3698 },
  district: '13201',
  status: 'OPERATIONAL',
  signalPlan: {
    planId: 'mob-tl-13201-90-plan-1',
    name: 'Plan de base',
    cycleSeconds: 90,
    phases: [
      { name: 'nord-sud', greenSeconds: 40 },
      { name: 'est-ouest', greenSeconds: 30 },
    ],
    validFrom: new Date('2026-11-01T00:00:00Z'),
    updatedBy: null,
  },
};
/** Another light, under maintenance, right beside it: never recommended for. */
const LIGHT_IN_MAINTENANCE: TrafficLightDoc = {
  ...LIGHT,
  _id: 'mob-tl-13201-91',
  status: 'MAINTENANCE',
  signalPlan: { ...LIGHT.signalPlan, planId: 'mob-tl-13201-91-plan-1' },
};
/** Two sensors about 110 m from the light, and one 2.2 km away, jammed all morning. */
const NEAR = ['mob-ts-13201-91', 'mob-ts-13201-92'];
const FAR = 'mob-ts-13201-93';
const sensor = (id: string, lat: number) => ({
  _id: id,
  name: id,
  roadName: 'Quai du Port',
  laneCount: 2,
  location: { lat, lon: 5.3698 },
  district: '13201',
});

const RECOMMENDATIONS = /* GraphQL */ `
  query ($at: DateTime, $district: ID, $radius: Int) {
    signalPlanRecommendations(
      at: $at
      district: $district
      radiusMeters: $radius
    ) {
      trafficLight {
        id
      }
      rule
      explanation
      currentPlan {
        cycleSeconds
      }
      proposedPlan {
        name
        cycleSeconds
        phases {
          name
          greenSeconds
        }
      }
      at
      radiusMeters
      window5 {
        minutes
        readingCount
        averageOccupancy
        level
      }
      window15 {
        minutes
        from
        to
        readingCount
        averageOccupancy
        level
        sensors {
          id
        }
      }
      readingIds
      readings {
        id
        occupancy
      }
    }
  }
`;

interface Recommendation {
  trafficLight: { id: string };
  rule: string;
  explanation: string;
  currentPlan: { cycleSeconds: number };
  proposedPlan: {
    name: string;
    cycleSeconds: number;
    phases: { name: string; greenSeconds: number }[];
  };
  window5: { level: string; readingCount: number };
  window15: {
    from: string;
    to: string;
    level: string;
    readingCount: number;
    sensors: { id: string }[];
  };
  readingIds: string[];
  readings: { id: string; occupancy: number }[];
}

const staff = createViewer('agent-1', ['mobility:staff']);
const controller = createViewer('ctl-1', ['mobility:control']);

describe('Query.signalPlanRecommendations (mobility)', () => {
  let db: TestDatabase;
  let models: MobilityModels;
  let server: ReturnType<typeof createServer>;
  const near = rushHour(NEAR);

  const recommendations = async (
    variables: Record<string, unknown>,
    viewer = staff,
  ) => {
    const result = await executeAs(server, RECOMMENDATIONS, variables, viewer);
    expect(result.errors).toBeUndefined();
    return result.data?.['signalPlanRecommendations'] as Recommendation[];
  };

  beforeAll(async () => {
    db = await startTestDatabase('mobility-signal-plan-test');
    models = createModels(db.connection);
    await models.TrafficSensor.init();
    await upsertAll(models.TrafficSensor, [
      sensor(NEAR[0] as string, 43.2975),
      sensor(NEAR[1] as string, 43.2955),
      sensor(FAR, 43.3165),
    ]);
    await upsertAll(models.TrafficLight, [LIGHT, LIGHT_IN_MAINTENANCE]);
    // The rush hour as stored readings, and the far sensor jammed throughout.
    const stored = [
      ...near,
      ...rushHour([FAR]).map((r) => ({
        ...r,
        occupancy: 0.9,
        congested: true,
      })),
    ].map((r) => ({
      ...r,
      device: { id: r.device.id, district: '13201' },
      intensity: 1000,
      source: { kind: 'seed', id: 'seed:mobility' },
      receivedAt: r.observedAt,
      quality: { flags: [], score: 1 },
    }));
    await seedReadings(
      {
        readings: models.TrafficFlowReading,
        keys: models.ReadingKey,
        logger: createSilentLogger(),
      },
      stored,
    );
    expect(await models.TrafficFlowReading.countDocuments().exec()).toBe(
      stored.length,
    );
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

  it('refuses anonymous callers and callers without a mobility staff scope', async () => {
    const anonymous = await executeAs(server, RECOMMENDATIONS, {
      at: '2026-12-01T08:30:00Z',
    });
    expect(anonymous.data?.['signalPlanRecommendations']).toBeNull();
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const other = await executeAs(
      server,
      RECOMMENDATIONS,
      { at: '2026-12-01T08:30:00Z' },
      createViewer('env-1', ['environment:staff']),
    );
    expect(other.data?.['signalPlanRecommendations']).toBeNull();
    expect(other.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('answers mobility staff and traffic control staff', async () => {
    for (const viewer of [staff, controller]) {
      const answer = await recommendations(
        { at: '2026-12-01T08:30:00Z' },
        viewer,
      );
      expect(answer.map((r) => r.trafficLight.id)).toEqual([LIGHT._id]);
    }
  });

  it('on the replayed rush hour answers what the rule answers, minute by minute, from the nearby readings only', async () => {
    const upTo = (when: Date) => near.filter((r) => r.observedAt <= when);
    const rules: (string | null)[] = [];
    for (let m = 0; m <= 180; m += 5) {
      const when = new Date(at('07:00').getTime() + m * 60_000);
      const [graph, ...others] = await recommendations({
        at: when.toISOString(),
      });
      expect(others).toEqual([]);
      const rule = recommendSignalPlan(LIGHT.signalPlan, upTo(when), when);
      rules.push(rule?.rule ?? null);
      if (rule === null) {
        expect(graph).toBeUndefined();
        continue;
      }
      // The far sensor's jam never counts: same answer as the rule on the near readings.
      expect(graph).toMatchObject({
        rule: rule.rule,
        explanation: rule.explanation,
        proposedPlan: rule.proposedPlan,
        readingIds: rule.readingIds,
        window5: { level: rule.window5.level },
        window15: {
          level: rule.window15.level,
          readingCount: rule.window15.readingCount,
          sensors: NEAR.map((id) => ({ id })),
        },
      });
    }
    // Shorten in the early free flow, nothing as traffic builds, lengthen
    // through the jam, nothing again as it clears, then shorten.
    expect(rules.slice(0, 6)).toEqual(Array(6).fill('SHORTEN_CYCLE'));
    expect(rules).toContain(null);
    expect(rules.filter((r) => r === 'LENGTHEN_CYCLE').length).toBeGreaterThan(
      10,
    );
    expect(rules.at(-1)).toBe('SHORTEN_CYCLE');
  });

  it('explains a recommendation at the peak by its readings, windows and rule', async () => {
    const [peak] = await recommendations({ at: '2026-12-01T08:30:00Z' });
    expect(peak).toMatchObject({
      trafficLight: { id: LIGHT._id },
      rule: 'LENGTHEN_CYCLE',
      currentPlan: { cycleSeconds: 90 },
      proposedPlan: {
        name: 'Plan de base',
        cycleSeconds: 120,
        phases: [
          { name: 'nord-sud', greenSeconds: 70 },
          { name: 'est-ouest', greenSeconds: 30 },
        ],
      },
      at: '2026-12-01T08:30:00.000Z',
      radiusMeters: 500,
      window5: { readingCount: 10, level: 'JAMMED' },
      window15: {
        from: '2026-12-01T08:15:00.000Z',
        to: '2026-12-01T08:30:00.000Z',
        readingCount: 30,
        level: 'JAMMED',
      },
    });
    expect(peak?.explanation).toMatch(
      /^30 readings of 2 nearby sensors \(mob-ts-13201-91, mob-ts-13201-92\): mean occupancy 72 % over 15 min \(JAMMED\).*rule LENGTHEN_CYCLE/,
    );
    expect(peak?.readings.map((r) => r.id)).toEqual(peak?.readingIds);
    expect(peak?.readings.every((r) => r.occupancy === 0.72)).toBe(true);
  });

  it('counts the far sensor once the radius reaches it', async () => {
    const [narrow] = await recommendations({ at: '2026-12-01T07:00:00Z' });
    expect(narrow?.rule).toBe('SHORTEN_CYCLE');
    const [wide] = await recommendations({
      at: '2026-12-01T07:00:00Z',
      radius: 3000,
    });
    // At 07:00 the near sensors flow freely (8 %) but the far one is jammed
    // (90 %): the mean of the three, 35 %, is HEAVY in both windows.
    expect(wide).toMatchObject({
      rule: 'LENGTHEN_CYCLE',
      radiusMeters: 3000,
      window15: {
        level: 'HEAVY',
        sensors: [...NEAR, FAR].map((id) => ({ id })),
      },
    });
  });

  it('is applied with setSignalPlan, after which the rule starts from the new plan', async () => {
    const [peak] = await recommendations({ at: '2026-12-01T08:30:00Z' });
    const applied = await executeAs(
      server,
      'mutation($id: ID!, $p: SignalPlanInput!) { setSignalPlan(trafficLightId: $id, plan: $p) { signalPlan { cycleSeconds } } }',
      { id: peak?.trafficLight.id, p: peak?.proposedPlan },
      controller,
    );
    expect(applied.errors).toBeUndefined();
    expect(applied.data?.['setSignalPlan']).toEqual({
      signalPlan: { cycleSeconds: 120 },
    });
    const [next] = await recommendations({ at: '2026-12-01T08:30:00Z' });
    expect(next?.currentPlan.cycleSeconds).toBe(120);
    expect(next?.proposedPlan.cycleSeconds).toBe(150);
  });

  it('refuses a bad radius or an unknown district with BAD_USER_INPUT', async () => {
    for (const variables of [
      { radius: 0 },
      { radius: 5001 },
      { district: '75001' },
    ]) {
      const result = await executeAs(server, RECOMMENDATIONS, variables, staff);
      expect(result.data?.['signalPlanRecommendations']).toBeNull();
      expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    }
  });

  it('answers for one district only when asked, with three reads whatever the number of lights', async () => {
    expect(
      await recommendations({ at: '2026-12-01T08:30:00Z', district: '13202' }),
    ).toEqual([]);
    db.resetCommands();
    await recommendations({ at: '2026-12-01T08:30:00Z', district: '13201' });
    expect(db.commands().slice(0, 3)).toEqual([
      'find traffic_lights',
      'find traffic_sensors',
      'find traffic_flow_readings',
    ]);
  });
});
