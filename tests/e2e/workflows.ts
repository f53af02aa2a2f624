/**
 * Not a test file: the departments' workflow mutations (docs/workflows.md)
 * through the gateway, on the running city graph. Each workflow is shown
 * allowed, refused by its rule, refused by its state, retried with the same
 * idempotency key (the first answer, no second change, no second event) and
 * refused for a stale version.
 */
import { MongoClient } from 'mongodb';
import { expect, it } from 'vitest';
import type { Department } from '../../lib/runtime/config.js';
import type { CityGraph, GraphQLResponse } from './cityGraph.js';

/** The error of a refused mutation: the field is null and one error says why. */
function refusal(result: GraphQLResponse, field: string) {
  expect(result.data?.[field] ?? null).toBeNull();
  expect(result.errors).toHaveLength(1);
  return result.errors?.[0]?.extensions ?? {};
}

/** Defines the workflow scenarios on `graph()`. */
export function defineWorkflowScenarios(graph: () => CityGraph): void {
  /** Events about `entityId` in the department's outbox (every change is one). */
  const eventsAbout = async (department: Department, entityId: string) => {
    const client = await MongoClient.connect(graph().databases[department].uri);
    try {
      return await client
        .db(department)
        .collection<{ event: { type: string } }>('outbox')
        .find({ 'event.entity.id': entityId })
        .sort({ order: 1 })
        .map((doc) => doc.event.type)
        .toArray();
    } finally {
      await client.close();
    }
  };

  it('workflow, environment: a leak alert is acknowledged then resolved, and never acknowledged again', async () => {
    const staff = await graph().token('env-agent-wf', ['environment:staff']);
    const citizen = await graph().token('citizen-wf', ['citizen']);
    const open = await graph().query(
      '{ waterLeakAlerts(status: OPEN, first: 1) { nodes { id version } } }',
      {},
      { token: staff },
    );
    expect(open.errors).toBeUndefined();
    const alert = (
      open.data?.['waterLeakAlerts'] as {
        nodes: { id: string; version: number }[];
      }
    ).nodes[0];
    if (!alert) throw new Error('the seed has no OPEN leak alert');
    const acknowledge =
      'mutation ($id: ID!, $note: String!, $v: Int, $key: String) { acknowledgeLeakAlert(id: $id, note: $note, expectedVersion: $v, idempotencyKey: $key) { id status version acknowledgedBy } }';
    const resolve =
      'mutation ($id: ID!, $text: String!, $v: Int, $key: String) { resolveLeakAlert(id: $id, resolution: $text, expectedVersion: $v, idempotencyKey: $key) { id status version resolvedBy resolution } }';

    // Refused by rule: a citizen holds no environment:staff.
    expect(
      refusal(
        await graph().query(
          resolve,
          { id: alert.id, text: 'fixed' },
          { token: citizen },
        ),
        'resolveLeakAlert',
      )['code'],
    ).toBe('FORBIDDEN');
    // Refused by state: nobody took it yet.
    expect(
      refusal(
        await graph().query(
          resolve,
          { id: alert.id, text: 'fixed' },
          { token: staff },
        ),
        'resolveLeakAlert',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'OPEN',
      serviceName: 'environment',
    });

    // Allowed, then retried with the same key: the first answer, once.
    const variables = {
      id: alert.id,
      note: 'Équipe envoyée.',
      v: alert.version,
      key: 'wf-env-ack-1',
    };
    const acknowledged = await graph().query(acknowledge, variables, {
      token: staff,
    });
    expect(acknowledged.errors).toBeUndefined();
    expect(acknowledged.data?.['acknowledgeLeakAlert']).toEqual({
      id: alert.id,
      status: 'ACKNOWLEDGED',
      version: alert.version + 1,
      acknowledgedBy: 'env-agent-wf',
    });
    const retried = await graph().query(acknowledge, variables, {
      token: staff,
    });
    expect(retried.data).toEqual(acknowledged.data);
    expect(await eventsAbout('environment', alert.id)).toEqual([
      'leakAlert.acknowledged',
    ]);
    // The same key for another input is refused.
    expect(
      refusal(
        await graph().query(
          acknowledge,
          { ...variables, note: 'Autre note.' },
          { token: staff },
        ),
        'acknowledgeLeakAlert',
      ),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'IDEMPOTENCY_KEY_REUSED',
    });

    // Stale: decided on the version before the acknowledgement.
    expect(
      refusal(
        await graph().query(
          resolve,
          { id: alert.id, text: 'Réparée.', v: alert.version },
          { token: staff },
        ),
        'resolveLeakAlert',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
      currentVersion: alert.version + 1,
    });
    const resolved = await graph().query(
      resolve,
      { id: alert.id, text: 'Réparée.', v: alert.version + 1 },
      { token: staff },
    );
    expect(resolved.data?.['resolveLeakAlert']).toMatchObject({
      status: 'RESOLVED',
      version: alert.version + 2,
      resolvedBy: 'env-agent-wf',
    });
    // A resolved alert cannot be acknowledged.
    expect(
      refusal(
        await graph().query(
          acknowledge,
          { id: alert.id, note: 'Encore ?' },
          { token: staff },
        ),
        'acknowledgeLeakAlert',
      ),
    ).toMatchObject({ reason: 'INVALID_TRANSITION', currentState: 'RESOLVED' });
    expect(await eventsAbout('environment', alert.id)).toEqual([
      'leakAlert.acknowledged',
      'leakAlert.resolved',
    ]);
  });

  it('workflow, mobility: a fault is reported, repaired under maintenance and the light back in service', async () => {
    const staff = await graph().token('mob-agent-wf', ['mobility:staff']);
    const control = await graph().token('mob-control-wf', ['mobility:control']);
    const listed = await graph().query(
      '{ trafficLights(district: "13216") { nodes { id status version } } }',
    );
    expect(listed.errors).toBeUndefined();
    const light = (
      listed.data?.['trafficLights'] as {
        nodes: { id: string; status: string; version: number }[];
      }
    ).nodes.find((l) => l.status === 'OPERATIONAL');
    if (!light) throw new Error('no OPERATIONAL light in 13216');
    const fault =
      'mutation ($id: ID!, $text: String!, $v: Int, $key: String) { reportTrafficLightFault(trafficLightId: $id, description: $text, expectedVersion: $v, idempotencyKey: $key) { id status version fault { description reportedBy } } }';
    const setStatus =
      'mutation ($id: ID!, $status: TrafficLightStatus!, $text: String!, $v: Int, $key: String) { setTrafficLightStatus(trafficLightId: $id, status: $status, reason: $text, expectedVersion: $v, idempotencyKey: $key) { id status version } }';

    // Refused by rule: traffic control without mobility:staff.
    expect(
      refusal(
        await graph().query(
          fault,
          { id: light.id, text: 'Feu rouge éteint.' },
          { token: control },
        ),
        'reportTrafficLightFault',
      )['code'],
    ).toBe('FORBIDDEN');
    // Allowed, and retried with the same key: the first answer, once.
    const variables = {
      id: light.id,
      text: 'Feu rouge éteint côté nord.',
      v: light.version,
      key: 'wf-mob-fault-1',
    };
    const reported = await graph().query(fault, variables, { token: staff });
    expect(reported.errors).toBeUndefined();
    expect(reported.data?.['reportTrafficLightFault']).toEqual({
      id: light.id,
      status: 'FAULT',
      version: light.version + 1,
      fault: {
        description: 'Feu rouge éteint côté nord.',
        reportedBy: 'mob-agent-wf',
      },
    });
    expect(
      (await graph().query(fault, variables, { token: staff })).data,
    ).toEqual(reported.data);
    // Refused by state: a faulty light goes through maintenance first.
    expect(
      refusal(
        await graph().query(
          setStatus,
          { id: light.id, status: 'OPERATIONAL', text: 'Remis en service.' },
          { token: staff },
        ),
        'setTrafficLightStatus',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'FAULT',
    });
    // Stale: decided before the fault was reported.
    expect(
      refusal(
        await graph().query(
          setStatus,
          {
            id: light.id,
            status: 'MAINTENANCE',
            text: 'Équipe envoyée.',
            v: light.version,
          },
          { token: staff },
        ),
        'setTrafficLightStatus',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
      currentVersion: light.version + 1,
    });
    for (const [status, v] of [
      ['MAINTENANCE', light.version + 1],
      ['OPERATIONAL', light.version + 2],
    ] as const) {
      const changed = await graph().query(
        setStatus,
        { id: light.id, status, text: 'Réparation.', v },
        { token: staff },
      );
      expect(changed.data?.['setTrafficLightStatus']).toMatchObject({
        status,
        version: v + 1,
      });
    }
    expect(await eventsAbout('mobility', light.id)).toEqual([
      'trafficLight.faultReported',
      'trafficLight.statusChanged',
      'trafficLight.statusChanged',
    ]);
  });

  it('workflow, economy: a business is corrected, then closed for good, and leaves its district count', async () => {
    const staff = await graph().token('eco-agent-wf', ['economy:staff']);
    const citizen = await graph().token('citizen-wf', ['citizen']);
    const listed = await graph().query(
      '{ district(code: "13215") { businessCount } businesses(district: "13215", first: 1) { nodes { id name version status } } }',
    );
    expect(listed.errors).toBeUndefined();
    const before = (listed.data?.['district'] as { businessCount: number })
      .businessCount;
    const business = (
      listed.data?.['businesses'] as {
        nodes: { id: string; name: string; version: number; status: string }[];
      }
    ).nodes[0];
    if (!business) throw new Error('no business in 13215');
    expect(business.status).toBe('ACTIVE');
    const update =
      'mutation ($id: ID!, $input: UpdateBusinessInput!, $v: Int, $key: String) { updateBusiness(id: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) { id name sizeBand status version } }';
    const close =
      'mutation ($id: ID!, $on: DateTime!, $v: Int, $key: String) { closeBusiness(id: $id, closedOn: $on, expectedVersion: $v, idempotencyKey: $key) { id status closedOn version } }';

    expect(
      refusal(
        await graph().query(
          close,
          { id: business.id, on: '2026-11-30' },
          { token: citizen },
        ),
        'closeBusiness',
      )['code'],
    ).toBe('FORBIDDEN');
    const variables = {
      id: business.id,
      input: { sizeBand: 'MEDIUM' },
      v: business.version,
      key: 'wf-eco-update-1',
    };
    const updated = await graph().query(update, variables, { token: staff });
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.['updateBusiness']).toEqual({
      id: business.id,
      name: business.name,
      sizeBand: 'MEDIUM',
      status: 'ACTIVE',
      version: business.version + 1,
    });
    expect(
      (await graph().query(update, variables, { token: staff })).data,
    ).toEqual(updated.data);
    expect(
      refusal(
        await graph().query(
          close,
          { id: business.id, on: '2026-11-30', v: business.version },
          { token: staff },
        ),
        'closeBusiness',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
      currentVersion: business.version + 1,
    });
    const closed = await graph().query(
      close,
      { id: business.id, on: '2026-11-30', v: business.version + 1 },
      { token: staff },
    );
    expect(closed.data?.['closeBusiness']).toMatchObject({
      status: 'CLOSED',
      closedOn: '2026-11-30T00:00:00.000Z',
      version: business.version + 2,
    });
    expect(
      refusal(
        await graph().query(
          update,
          { id: business.id, input: { name: 'Réouverte' } },
          { token: staff },
        ),
        'updateBusiness',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'CLOSED',
    });
    const after = await graph().query(
      '{ district(code: "13215") { businessCount } }',
    );
    expect(after.data?.['district']).toEqual({ businessCount: before - 1 });
    expect(await eventsAbout('economy', business.id)).toEqual([
      'business.updated',
      'business.closed',
    ]);
  });
}
