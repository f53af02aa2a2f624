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

  it('workflow, engagement: a citizen closes their own report (Open311 closed), not another citizen; staff reopen', async () => {
    const owner = await graph().token('citizen-wf-owner', ['citizen']);
    const other = await graph().token('citizen-wf-other', ['citizen']);
    const staff = await graph().token('eng-agent-wf', [
      'engagement:staff',
      'engagement:pii',
    ]);
    const filed = await graph().query(
      'mutation { submitCitizenReport(input: { serviceCode: "proprete-tag", description: "Tag sur le mur de l\'école, rue Caisserie.", location: { lat: 43.2975, lon: 5.3690 } }) { id status version } }',
      {},
      { token: owner },
    );
    expect(filed.errors).toBeUndefined();
    const report = filed.data?.['submitCitizenReport'] as {
      id: string;
      status: string;
      version: number;
    };
    expect(report).toMatchObject({ status: 'OPEN', version: 1 });
    const update =
      'mutation ($id: ID!, $status: CitizenReportStatus, $notes: String, $v: Int, $key: String) { updateCitizenReport(id: $id, status: $status, statusNotes: $notes, expectedVersion: $v, idempotencyKey: $key) { id status statusNotes version } }';

    expect(
      refusal(
        await graph().query(
          update,
          { id: report.id, status: 'CLOSED' },
          { token: other },
        ),
        'updateCitizenReport',
      )['code'],
    ).toBe('FORBIDDEN');
    const variables = {
      id: report.id,
      status: 'CLOSED',
      notes: 'Effacé par la copropriété.',
      v: 1,
      key: 'wf-eng-close-1',
    };
    const closed = await graph().query(update, variables, { token: owner });
    expect(closed.errors).toBeUndefined();
    expect(closed.data?.['updateCitizenReport']).toEqual({
      id: report.id,
      status: 'CLOSED',
      statusNotes: 'Effacé par la copropriété.',
      version: 2,
    });
    expect(
      (await graph().query(update, variables, { token: owner })).data,
    ).toEqual(closed.data);
    // Refused by state: closed already.
    expect(
      refusal(
        await graph().query(
          update,
          { id: report.id, status: 'CLOSED' },
          { token: owner },
        ),
        'updateCitizenReport',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'CLOSED',
    });
    // Stale: staff decided on the report as filed.
    expect(
      refusal(
        await graph().query(
          update,
          { id: report.id, status: 'OPEN', v: 1 },
          { token: staff },
        ),
        'updateCitizenReport',
      ),
    ).toMatchObject({ reason: 'STALE_VERSION', currentVersion: 2 });
    const reopened = await graph().query(
      update,
      { id: report.id, status: 'OPEN', notes: 'Le tag est revenu.', v: 2 },
      { token: staff },
    );
    expect(reopened.data?.['updateCitizenReport']).toMatchObject({
      status: 'OPEN',
      version: 3,
    });
    // Open311 readers see the same status.
    const open311 = await fetch(
      `${graph().gatewayUrl.replace(/\/graphql$/, '')}/open311/v2/requests/${report.id}.json`,
    );
    expect(((await open311.json()) as { status: string }[])[0]?.status).toBe(
      'open',
    );
    expect(await eventsAbout('engagement', report.id)).toEqual([
      'citizenReport.updated',
      'citizenReport.updated',
      'citizenReport.updated',
    ]);
  });

  it('workflow, engagement: staff schedule and cancel a workshop, record attendance once it is held', async () => {
    const staff = await graph().token('eng-agent-wf', [
      'engagement:staff',
      'engagement:pii',
    ]);
    const citizen = await graph().token('citizen-wf-owner', ['citizen']);
    const create =
      'mutation ($input: CreateWorkshopInput!, $key: String) { createWorkshop(input: $input, idempotencyKey: $key) { id status version } }';
    const cancel =
      'mutation ($id: ID!, $reason: String!, $v: Int, $key: String) { cancelWorkshop(id: $id, reason: $reason, expectedVersion: $v, idempotencyKey: $key) { id status version } }';
    const attend =
      'mutation ($id: ID!, $attended: Boolean!, $v: Int, $key: String) { recordAttendance(enrolmentId: $id, attended: $attended, expectedVersion: $v, idempotencyKey: $key) { id attendance version } }';
    const start = Date.now() + 7 * 24 * 3_600_000;
    const input = {
      title: 'Démarches en ligne',
      description: 'Impôts, CAF, Ameli : pas à pas.',
      topic: 'ONLINE_SERVICES',
      audience: 'SENIORS',
      venue: 'Centre social Belsunce',
      location: { lat: 43.2995, lon: 5.3775 },
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 2 * 3_600_000).toISOString(),
      capacity: 10,
    };
    expect(
      refusal(
        await graph().query(create, { input }, { token: citizen }),
        'createWorkshop',
      )['code'],
    ).toBe('FORBIDDEN');
    const created = await graph().query(
      create,
      { input, key: 'wf-eng-ws-1' },
      { token: staff },
    );
    expect(created.errors).toBeUndefined();
    const workshop = created.data?.['createWorkshop'] as { id: string };
    expect(created.data?.['createWorkshop']).toMatchObject({
      status: 'SCHEDULED',
      version: 1,
    });
    expect(
      (
        await graph().query(
          create,
          { input, key: 'wf-eng-ws-1' },
          { token: staff },
        )
      ).data,
    ).toEqual(created.data);

    // Attendance is refused by the workshop's state while it is scheduled.
    const enrolled = await graph().query(
      'mutation ($id: ID!) { enrol(workshopId: $id, participant: { name: "Lou Martin", email: "lou.wf@example.fr", residentDistrict: "13201" }) { enrolmentId } }',
      { id: workshop.id },
      { token: citizen },
    );
    const enrolmentId = (enrolled.data?.['enrol'] as { enrolmentId: string })
      .enrolmentId;
    expect(
      refusal(
        await graph().query(
          attend,
          { id: enrolmentId, attended: true },
          { token: staff },
        ),
        'recordAttendance',
      ),
    ).toMatchObject({
      reason: 'INVALID_TRANSITION',
      currentState: 'SCHEDULED',
    });

    expect(
      refusal(
        await graph().query(
          cancel,
          { id: workshop.id, reason: 'Salle indisponible.', v: 2 },
          { token: staff },
        ),
        'cancelWorkshop',
      ),
    ).toMatchObject({ reason: 'STALE_VERSION', currentVersion: 1 });
    const cancelled = await graph().query(
      cancel,
      { id: workshop.id, reason: 'Salle indisponible.', v: 1 },
      { token: staff },
    );
    expect(cancelled.data?.['cancelWorkshop']).toMatchObject({
      status: 'CANCELLED',
      version: 2,
    });
    expect(
      refusal(
        await graph().query(
          cancel,
          { id: workshop.id, reason: 'Encore.' },
          { token: staff },
        ),
        'cancelWorkshop',
      ),
    ).toMatchObject({
      reason: 'INVALID_TRANSITION',
      currentState: 'CANCELLED',
    });
    expect(await eventsAbout('engagement', workshop.id)).toEqual([
      'workshop.created',
      'workshop.enrolmentChanged',
      'workshop.cancelled',
    ]);

    // A workshop of the seed that was held: attendance recorded, once per key.
    const held = await graph().query(
      '{ workshops(range: { to: "2026-11-22T00:00:00Z" }, first: 10) { nodes { id status enrolments(first: 1) { nodes { id attendance version } } } } }',
      {},
      { token: staff },
    );
    expect(held.errors).toBeUndefined();
    const past = (
      held.data?.['workshops'] as {
        nodes: {
          id: string;
          status: string;
          enrolments: {
            nodes: { id: string; attendance: string; version: number }[];
          };
        }[];
      }
    ).nodes.find((w) => w.enrolments.nodes.length > 0);
    const enrolment = past?.enrolments.nodes[0];
    if (!past || !enrolment)
      throw new Error('no held workshop with enrolments');
    expect(past.status).toBe('HELD');
    expect(enrolment.attendance).toBe('PENDING');
    const variables = {
      id: enrolment.id,
      attended: true,
      v: enrolment.version,
      key: 'wf-eng-att-1',
    };
    const recorded = await graph().query(attend, variables, { token: staff });
    expect(recorded.data?.['recordAttendance']).toEqual({
      id: enrolment.id,
      attendance: 'ATTENDED',
      version: enrolment.version + 1,
    });
    expect(
      (await graph().query(attend, variables, { token: staff })).data,
    ).toEqual(recorded.data);
    expect(
      refusal(
        await graph().query(
          attend,
          { id: enrolment.id, attended: false, v: enrolment.version },
          { token: staff },
        ),
        'recordAttendance',
      ),
    ).toMatchObject({
      reason: 'STALE_VERSION',
      currentVersion: enrolment.version + 1,
    });
    expect(
      refusal(
        await graph().query(
          attend,
          { id: enrolment.id, attended: true },
          { token: citizen },
        ),
        'recordAttendance',
      )['code'],
    ).toBe('FORBIDDEN');
  });

  it('workflow, engagement: a citizen answers an open survey once; a closed survey refuses', async () => {
    const citizen = await graph().token('citizen-wf-survey', ['citizen']);
    const staff = await graph().token('eng-agent-wf', ['engagement:staff']);
    type SurveyView = {
      id: string;
      responseCount: number;
      questions: { id: string; kind: string; options: { id: string }[] }[];
    };
    const listed = await graph().query(
      '{ open: surveys(status: OPEN, first: 1) { nodes { id responseCount questions { id kind options { id } } } } closed: surveys(status: CLOSED, first: 1) { nodes { id responseCount questions { id kind options { id } } } } }',
    );
    expect(listed.errors).toBeUndefined();
    const first = (key: string) =>
      (listed.data?.[key] as { nodes: SurveyView[] }).nodes[0];
    const open = first('open');
    const closed = first('closed');
    if (!open || !closed)
      throw new Error('the seed needs an open and a closed survey');
    const answersTo = (survey: SurveyView) =>
      survey.questions.map((q) =>
        q.kind === 'RATING'
          ? { questionId: q.id, rating: 4 }
          : { questionId: q.id, optionIds: [q.options[0]?.id ?? ''] },
      );
    const answer =
      'mutation ($id: ID!, $answers: [SurveyAnswerInput!]!, $key: String) { answerSurvey(surveyId: $id, answers: $answers, idempotencyKey: $key) { survey { id responseCount } } }';

    expect(
      refusal(
        await graph().query(
          answer,
          { id: open.id, answers: answersTo(open) },
          { token: staff },
        ),
        'answerSurvey',
      )['code'],
    ).toBe('FORBIDDEN');
    const variables = { id: open.id, answers: answersTo(open), key: 'wf-sv-1' };
    const answered = await graph().query(answer, variables, {
      token: citizen,
    });
    expect(answered.errors).toBeUndefined();
    expect(answered.data?.['answerSurvey']).toEqual({
      survey: { id: open.id, responseCount: open.responseCount + 1 },
    });
    expect(
      (await graph().query(answer, variables, { token: citizen })).data,
    ).toEqual(answered.data);
    expect(
      refusal(
        await graph().query(
          answer,
          { id: open.id, answers: answersTo(open) },
          { token: citizen },
        ),
        'answerSurvey',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'ANSWERED',
    });
    expect(
      refusal(
        await graph().query(
          answer,
          { id: closed.id, answers: answersTo(closed) },
          { token: citizen },
        ),
        'answerSurvey',
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'INVALID_TRANSITION',
      currentState: 'CLOSED',
    });
    expect(await eventsAbout('engagement', open.id)).toEqual([
      'survey.answered',
    ]);
  });
}
