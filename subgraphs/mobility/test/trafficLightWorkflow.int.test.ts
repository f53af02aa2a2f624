import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import { createModels } from '../src/models/index.js';
import { createServer } from '../src/server.js';

const events = createRecordingEventPublisher();
const staff = createViewer('mob-agent-1', ['mobility:staff']);
const control = createViewer('mob-control-1', ['mobility:control']);

const LIGHT = 'mob-tl-13201-01';
const SELECTION = '{ id status version fault { description reportedBy } }';
const setStatus = `mutation($status: TrafficLightStatus!, $reason: String!, $v: Int, $key: String) { setTrafficLightStatus(trafficLightId: "${LIGHT}", status: $status, reason: $reason, expectedVersion: $v, idempotencyKey: $key) ${SELECTION} }`;
const reportFault = `mutation($description: String!, $v: Int, $key: String) { reportTrafficLightFault(trafficLightId: "${LIGHT}", description: $description, expectedVersion: $v, idempotencyKey: $key) ${SELECTION} }`;

describe('traffic light status workflow (OPERATIONAL ⇄ MAINTENANCE, FAULT → MAINTENANCE)', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  let models: ReturnType<typeof createModels>;
  const stored = () => models.TrafficLight.findById(LIGHT).lean().exec();

  beforeAll(async () => {
    db = await startTestDatabase('mobility-workflow-test');
    models = createModels(db.connection);
    await models.IdempotencyRecord.init();
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
  beforeEach(async () => {
    await models.TrafficLight.deleteMany({}).exec();
    await models.IdempotencyRecord.deleteMany({}).exec();
    // Stored raw, without a version, as seeded and ingested lights are.
    await models.TrafficLight.collection.insertOne({
      _id: LIGHT as never,
      name: 'Canebière / Belsunce',
      intersection: 'La Canebière x Cours Belsunce',
      location: { lat: 43.2976, lon: 5.3782 },
      district: '13201',
      status: 'OPERATIONAL',
      signalPlan: {
        planId: 'p1',
        name: 'Jour',
        cycleSeconds: 90,
        phases: [
          { name: 'a', greenSeconds: 40 },
          { name: 'b', greenSeconds: 40 },
        ],
        validFrom: new Date('2026-11-01T00:00:00Z'),
        updatedBy: null,
      },
    });
    events.published.length = 0;
  });

  it('reports a fault, repairs it under maintenance, puts the light back in service', async () => {
    const fault = await executeAs(
      server,
      reportFault,
      { description: 'Feu rouge éteint côté Belsunce.', v: 1 },
      staff,
    );
    expect(fault.errors).toBeUndefined();
    expect(fault.data?.['reportTrafficLightFault']).toEqual({
      id: LIGHT,
      status: 'FAULT',
      version: 2,
      fault: {
        description: 'Feu rouge éteint côté Belsunce.',
        reportedBy: 'mob-agent-1',
      },
    });
    const repair = await executeAs(
      server,
      setStatus,
      { status: 'MAINTENANCE', reason: 'Équipe sur place.', v: 2 },
      staff,
    );
    expect(repair.data?.['setTrafficLightStatus']).toMatchObject({
      status: 'MAINTENANCE',
      version: 3,
      fault: { description: 'Feu rouge éteint côté Belsunce.' },
    });
    const back = await executeAs(
      server,
      setStatus,
      { status: 'OPERATIONAL', reason: 'Lampe changée.', v: 3 },
      staff,
    );
    expect(back.data?.['setTrafficLightStatus']).toMatchObject({
      status: 'OPERATIONAL',
      version: 4,
      fault: null,
    });
    expect(events.published.map((e) => [e.type, e.payload])).toEqual([
      ['trafficLight.faultReported', { status: 'FAULT', version: 2 }],
      ['trafficLight.statusChanged', { status: 'MAINTENANCE', version: 3 }],
      ['trafficLight.statusChanged', { status: 'OPERATIONAL', version: 4 }],
    ]);
  });

  it('refuses a faulty light back in service without maintenance, and a second fault report (INVALID_TRANSITION)', async () => {
    await executeAs(
      server,
      reportFault,
      { description: 'Feu rouge éteint côté Belsunce.' },
      staff,
    );
    const skip = await executeAs(
      server,
      setStatus,
      { status: 'OPERATIONAL', reason: 'Ça remarche.' },
      staff,
    );
    expect(skip.errors?.[0]?.extensions).toEqual({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'FAULT',
    });
    const again = await executeAs(
      server,
      reportFault,
      { description: 'Toujours éteint, vu ce matin.' },
      staff,
    );
    expect(again.errors?.[0]?.extensions?.['reason']).toBe(
      'INVALID_TRANSITION',
    );
    expect(await stored()).toMatchObject({ status: 'FAULT', version: 2 });
    expect(events.published).toHaveLength(1);
  });

  it('refuses a stale expectedVersion', async () => {
    await executeAs(
      server,
      setStatus,
      { status: 'MAINTENANCE', reason: 'Révision annuelle.' },
      staff,
    );
    const stale = await executeAs(
      server,
      reportFault,
      { description: 'Feu orange clignotant.', v: 1 },
      staff,
    );
    expect(stale.errors?.[0]?.extensions).toEqual({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
      currentVersion: 2,
    });
    expect((await stored())?.status).toBe('MAINTENANCE');
  });

  it('answers a retry with the same key with the first result, once', async () => {
    const variables = { status: 'MAINTENANCE', reason: 'Révision.', key: 'k1' };
    const first = await executeAs(server, setStatus, variables, staff);
    const retry = await executeAs(server, setStatus, variables, staff);
    expect(retry).toEqual(first);
    expect((await stored())?.version).toBe(2);
    expect(events.published).toHaveLength(1);
    const reused = await executeAs(
      server,
      setStatus,
      { ...variables, status: 'OPERATIONAL' },
      staff,
    );
    expect(reused.errors?.[0]?.extensions?.['reason']).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('refuses bad input (FAULT through setTrafficLightStatus, an empty reason) and callers without mobility:staff', async () => {
    const bad = await executeAs(
      server,
      setStatus,
      { status: 'FAULT', reason: ' ' },
      staff,
    );
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.['problems']).toHaveLength(2);
    const forbidden = await executeAs(
      server,
      setStatus,
      { status: 'MAINTENANCE', reason: 'Révision.' },
      control,
    );
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(await stored()).toMatchObject({ status: 'OPERATIONAL' });
    expect(events.published).toEqual([]);
  });
});
