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
import type { WaterLeakAlertDoc } from '../src/models/index.js';
import { createServer } from '../src/server.js';

const events = createRecordingEventPublisher();
const staff = createViewer('env-agent-42', ['environment:staff']);
const colleague = createViewer('env-agent-43', ['environment:staff']);
const citizen = createViewer('citizen-7', ['citizen']);

const ALERT = 'env-leak-13203-1-20261121';
const SELECTION =
  '{ id status version acknowledgedBy note resolvedBy resolution resolvedAt }';
const acknowledge = `mutation($id: ID!, $note: String!, $v: Int, $key: String) { acknowledgeLeakAlert(id: $id, note: $note, expectedVersion: $v, idempotencyKey: $key) ${SELECTION} }`;
const resolve = `mutation($id: ID!, $resolution: String!, $v: Int, $key: String) { resolveLeakAlert(id: $id, resolution: $resolution, expectedVersion: $v, idempotencyKey: $key) ${SELECTION} }`;

describe('leak alert workflow (OPEN → ACKNOWLEDGED → RESOLVED)', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  let models: ReturnType<typeof createModels>;

  const stored = () =>
    models.WaterLeakAlert.findById(ALERT).lean().exec() as Promise<
      WaterLeakAlertDoc & { version?: number }
    >;

  beforeAll(async () => {
    db = await startTestDatabase('environment-workflow-test');
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
    await models.WaterLeakAlert.deleteMany({}).exec();
    await models.IdempotencyRecord.deleteMany({}).exec();
    // Stored raw, without a version field, as alerts raised before versions
    // existed are: they count as version 1.
    await models.WaterLeakAlert.collection.insertOne({
      _id: ALERT as never,
      meterId: 'env-wm-13203-1',
      district: '13203',
      severity: 'HIGH',
      status: 'OPEN',
      detectedAt: new Date('2026-11-21T04:00:00Z'),
      estimatedLoss: 3.2,
      description: 'Minimum night flow above baseline.',
      acknowledgedAt: null,
      acknowledgedBy: null,
      note: null,
    });
    events.published.length = 0;
  });

  it('acknowledges, then resolves, one version up each time, with one event per change', async () => {
    const first = await executeAs(
      server,
      acknowledge,
      { id: ALERT, note: 'Équipe envoyée.', v: 1 },
      staff,
    );
    expect(first.errors).toBeUndefined();
    expect(first.data?.['acknowledgeLeakAlert']).toMatchObject({
      status: 'ACKNOWLEDGED',
      version: 2,
      acknowledgedBy: 'env-agent-42',
    });
    const second = await executeAs(
      server,
      resolve,
      { id: ALERT, resolution: '  Joint remplacé rue Consolat. ', v: 2 },
      colleague,
    );
    expect(second.errors).toBeUndefined();
    expect(second.data?.['resolveLeakAlert']).toMatchObject({
      status: 'RESOLVED',
      version: 3,
      acknowledgedBy: 'env-agent-42',
      resolvedBy: 'env-agent-43',
      resolution: 'Joint remplacé rue Consolat.',
    });
    expect(events.published.map((e) => [e.type, e.payload])).toEqual([
      ['leakAlert.acknowledged', { status: 'ACKNOWLEDGED', version: 2 }],
      ['leakAlert.resolved', { status: 'RESOLVED', version: 3 }],
    ]);
    expect((await stored()).version).toBe(3);
  });

  it('refuses to resolve an alert nobody acknowledged, and to acknowledge a resolved one (CONFLICT, INVALID_TRANSITION)', async () => {
    const early = await executeAs(
      server,
      resolve,
      { id: ALERT, resolution: 'fixed' },
      staff,
    );
    expect(early.data?.['resolveLeakAlert']).toBeNull();
    expect(early.errors?.[0]?.extensions).toEqual({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'OPEN',
    });
    expect(early.errors?.[0]?.message).toBe(
      `WaterLeakAlert ${ALERT} is OPEN: it cannot be resolved (from OPEN it can only become ACKNOWLEDGED).`,
    );
    await executeAs(server, acknowledge, { id: ALERT, note: 'on it' }, staff);
    await executeAs(server, resolve, { id: ALERT, resolution: 'done' }, staff);
    const late = await executeAs(
      server,
      acknowledge,
      { id: ALERT, note: 'again' },
      colleague,
    );
    expect(late.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'RESOLVED',
    });
    expect(late.errors?.[0]?.message).toContain('RESOLVED is final');
    expect(await stored()).toMatchObject({
      status: 'RESOLVED',
      acknowledgedBy: 'env-agent-42',
      note: 'on it',
      version: 3,
    });
    expect(events.published).toHaveLength(2);
  });

  it('refuses a stale expectedVersion with the current one, and changes nothing', async () => {
    await executeAs(server, acknowledge, { id: ALERT, note: 'on it' }, staff);
    const stale = await executeAs(
      server,
      resolve,
      { id: ALERT, resolution: 'done', v: 1 },
      colleague,
    );
    expect(stale.errors?.[0]?.extensions).toEqual({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
      currentVersion: 2,
    });
    expect(await stored()).toMatchObject({
      status: 'ACKNOWLEDGED',
      version: 2,
    });
  });

  it('answers a retry with the same idempotency key with the first result, without a second change', async () => {
    const variables = { id: ALERT, note: 'Équipe envoyée.', key: 'ack-7f3c' };
    const first = await executeAs(server, acknowledge, variables, staff);
    expect(first.errors).toBeUndefined();
    // Someone else resolves it meanwhile; the retry still answers what the
    // first call did, and changes nothing.
    await executeAs(
      server,
      resolve,
      { id: ALERT, resolution: 'done' },
      colleague,
    );
    const retry = await executeAs(server, acknowledge, variables, staff);
    expect(retry.errors).toBeUndefined();
    expect(retry.data).toEqual(first.data);
    expect(await stored()).toMatchObject({ status: 'RESOLVED', version: 3 });
    expect(events.published.map((e) => e.type)).toEqual([
      'leakAlert.acknowledged',
      'leakAlert.resolved',
    ]);
  });

  it('refuses the same key with another input, and keys are per caller', async () => {
    await executeAs(
      server,
      acknowledge,
      { id: ALERT, note: 'first', key: 'k-1' },
      staff,
    );
    const reused = await executeAs(
      server,
      acknowledge,
      { id: ALERT, note: 'another note', key: 'k-1' },
      staff,
    );
    expect(reused.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'idempotencyKey',
      reason: 'IDEMPOTENCY_KEY_REUSED',
    });
    // Another staff member's k-1 is another key: it runs, and the state refuses it.
    const other = await executeAs(
      server,
      acknowledge,
      { id: ALERT, note: 'first', key: 'k-1' },
      colleague,
    );
    expect(other.errors?.[0]?.extensions?.['reason']).toBe(
      'INVALID_TRANSITION',
    );
    expect((await stored()).note).toBe('first');
  });

  it('does not remember a refused call: its retry runs again', async () => {
    const refused = await executeAs(
      server,
      resolve,
      { id: ALERT, resolution: 'done', key: 'r-1' },
      staff,
    );
    expect(refused.errors?.[0]?.extensions?.['reason']).toBe(
      'INVALID_TRANSITION',
    );
    await executeAs(server, acknowledge, { id: ALERT, note: 'on it' }, staff);
    const retried = await executeAs(
      server,
      resolve,
      { id: ALERT, resolution: 'done', key: 'r-1' },
      staff,
    );
    expect(retried.errors).toBeUndefined();
    expect(retried.data?.['resolveLeakAlert']).toMatchObject({
      status: 'RESOLVED',
    });
  });

  it('lets one of two concurrent acknowledgements win; the other is told, and the first is kept', async () => {
    const results = await Promise.all(
      [staff, colleague].map((viewer, i) =>
        executeAs(
          server,
          acknowledge,
          { id: ALERT, note: `note ${i}` },
          viewer,
        ),
      ),
    );
    const won = results.filter((r) => r.errors === undefined);
    const lost = results.filter((r) => r.errors !== undefined);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    const winner = won[0]?.data?.['acknowledgeLeakAlert'] as {
      acknowledgedBy: string;
      note: string;
    };
    expect(await stored()).toMatchObject({
      status: 'ACKNOWLEDGED',
      version: 2,
      acknowledgedBy: winner.acknowledgedBy,
      note: winner.note,
    });
    expect(events.published).toHaveLength(1);
  });

  it('refuses bad input with every problem listed, before reading anything', async () => {
    const result = await executeAs(
      server,
      resolve,
      { id: 'leak-1', resolution: ' ', v: 0, key: 'has spaces' },
      staff,
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.['problems']).toHaveLength(4);
    expect(await models.IdempotencyRecord.countDocuments().exec()).toBe(0);
    expect((await stored()).status).toBe('OPEN');
  });

  it('refuses callers without environment:staff (the schema rule) and unknown alerts', async () => {
    const forbidden = await executeAs(
      server,
      resolve,
      { id: ALERT, resolution: 'done' },
      citizen,
    );
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const missing = await executeAs(
      server,
      acknowledge,
      { id: 'env-leak-13203-9-20261121', note: 'on it' },
      staff,
    );
    expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(events.published).toEqual([]);
  });
});
