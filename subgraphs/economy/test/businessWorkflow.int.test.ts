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
const staff = createViewer('eco-agent-1', ['economy:staff']);
const citizen = createViewer('citizen-1', ['citizen']);

const BUSINESS = 'eco-biz-13202-001';
const SELECTION = '{ id name sizeBand status closedOn version updatedBy }';
const update = `mutation($input: UpdateBusinessInput!, $v: Int, $key: String) { updateBusiness(id: "${BUSINESS}", input: $input, expectedVersion: $v, idempotencyKey: $key) ${SELECTION} }`;
const close = `mutation($on: DateTime!, $v: Int, $key: String) { closeBusiness(id: "${BUSINESS}", closedOn: $on, expectedVersion: $v, idempotencyKey: $key) ${SELECTION} }`;

describe('business workflow (ACTIVE, corrected, then CLOSED for good)', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  let models: ReturnType<typeof createModels>;
  const stored = () => models.Business.findById(BUSINESS).lean().exec();
  const count = async () =>
    (
      await executeAs(
        server,
        '{ _entities(representations: [{ __typename: "District", code: "13202" }]) { ... on District { businessCount } } }',
      )
    ).data?.['_entities'];

  beforeAll(async () => {
    db = await startTestDatabase('economy-workflow-test');
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
    await models.Business.deleteMany({}).exec();
    await models.IdempotencyRecord.deleteMany({}).exec();
    // Stored raw, as the registry import stores it: no status, no version.
    await models.Business.collection.insertOne({
      _id: BUSINESS as never,
      registryNumber: '73282932000074',
      name: 'Boulangerie de la Joliette',
      sector: 'G',
      sizeBand: 'MICRO',
      founded: new Date('2015-03-01T00:00:00Z'),
      district: '13202',
      location: { lat: 43.305, lon: 5.366 },
      registeredBy: null,
    });
    events.published.length = 0;
  });

  it('corrects an active business, then closes it: one version and one event per change, and it no longer counts', async () => {
    expect(await count()).toEqual([{ businessCount: 1 }]);
    const updated = await executeAs(
      server,
      update,
      { input: { name: '  Boulangerie Joliette ', sizeBand: 'SMALL' }, v: 1 },
      staff,
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.['updateBusiness']).toEqual({
      id: BUSINESS,
      name: 'Boulangerie Joliette',
      sizeBand: 'SMALL',
      status: 'ACTIVE',
      closedOn: null,
      version: 2,
      updatedBy: 'eco-agent-1',
    });
    const closed = await executeAs(
      server,
      close,
      { on: '2026-11-30', v: 2 },
      staff,
    );
    expect(closed.data?.['closeBusiness']).toMatchObject({
      status: 'CLOSED',
      closedOn: '2026-11-30T00:00:00.000Z',
      version: 3,
    });
    expect(events.published.map((e) => [e.type, e.payload])).toEqual([
      ['business.updated', { status: 'ACTIVE', sector: 'G', version: 2 }],
      ['business.closed', { status: 'CLOSED', sector: 'G', version: 3 }],
    ]);
    expect(await count()).toEqual([{ businessCount: 0 }]);
  });

  it('refuses to update or close a closed business (INVALID_TRANSITION)', async () => {
    await executeAs(server, close, { on: '2026-11-30' }, staff);
    for (const [query, variables] of [
      [update, { input: { name: 'Réouverte' } }],
      [close, { on: '2026-11-30' }],
    ] as const) {
      const refused = await executeAs(server, query, variables, staff);
      expect(refused.errors?.[0]?.extensions).toEqual({
        code: 'CONFLICT',
        reason: 'INVALID_TRANSITION',
        currentState: 'CLOSED',
      });
    }
    expect(await stored()).toMatchObject({
      name: 'Boulangerie de la Joliette',
      version: 2,
    });
  });

  it('refuses a stale expectedVersion, and answers a retry with the same key once', async () => {
    const variables = { input: { sizeBand: 'SMALL' }, key: 'eco-k1' };
    const first = await executeAs(server, update, variables, staff);
    expect(await executeAs(server, update, variables, staff)).toEqual(first);
    expect((await stored())?.version).toBe(2);
    const stale = await executeAs(
      server,
      close,
      { on: '2026-11-30', v: 1 },
      staff,
    );
    expect(stale.errors?.[0]?.extensions).toEqual({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
      currentVersion: 2,
    });
    expect(events.published).toHaveLength(1);
  });

  it('refuses bad input with every problem listed, a closure before founding, and callers without economy:staff', async () => {
    const bad = await executeAs(
      server,
      update,
      { input: { name: ' ', location: { lat: 48.85, lon: 2.35 } }, v: 0 },
      staff,
    );
    expect(bad.errors?.[0]?.extensions?.['problems']).toHaveLength(3);
    const early = await executeAs(server, close, { on: '2001-01-01' }, staff);
    expect(early.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'closedOn',
    });
    const future = await executeAs(server, close, { on: '2099-01-01' }, staff);
    expect(future.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const forbidden = await executeAs(
      server,
      close,
      { on: '2026-11-30' },
      citizen,
    );
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(await stored()).not.toHaveProperty('status');
    expect(events.published).toEqual([]);
  });
});
