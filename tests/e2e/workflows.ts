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
}
