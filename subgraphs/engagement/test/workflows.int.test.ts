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
const staff = createViewer(
  'eng-agent-1',
  ['engagement:staff', 'engagement:pii'],
  ['pii-access', 'city-staff'],
);
const owner = createViewer('citizen-owner', ['citizen']);
const stranger = createViewer('citizen-other', ['citizen']);

// The subgraph's clock: tests move it to before and after a workshop.
let now = new Date('2026-12-02T10:00:00Z');
const HOUR = 3_600_000;

const REPORT = 'eng-cr-00077';
const WORKSHOP = 'eng-ws-900';
const ENROLMENT = 'eng-en-eng-ws-900-001';
const SURVEY = 'eng-sv-9';

describe('engagement workflows', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  let models: ReturnType<typeof createModels>;

  beforeAll(async () => {
    db = await startTestDatabase('engagement-workflow-test');
    models = createModels(db.connection);
    await models.IdempotencyRecord.init();
    server = createServer({
      connection: db.connection,
      events,
      logger: createSilentLogger(),
      now: () => now,
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });
  beforeEach(async () => {
    now = new Date('2026-12-02T10:00:00Z');
    await models.CitizenReport.deleteMany({}).exec();
    await models.Workshop.deleteMany({}).exec();
    await models.Enrolment.deleteMany({}).exec();
    await models.Survey.deleteMany({}).exec();
    await models.IdempotencyRecord.deleteMany({}).exec();
    // Stored raw, as seeded or ingested documents without versions are.
    await models.CitizenReport.collection.insertOne({
      _id: REPORT as never,
      serviceCode: 'proprete-tag',
      serviceName: 'Tag',
      description: 'Tag sur la façade de la mairie annexe.',
      status: 'open',
      statusNotes: null,
      agencyResponsible: 'Propreté',
      requestedDatetime: new Date('2026-11-30T08:00:00Z'),
      updatedDatetime: new Date('2026-11-30T08:00:00Z'),
      address: null,
      district: '13202',
      location: { lat: 43.305, lon: 5.366 },
      trafficLightId: null,
      waterMeterId: null,
      reporterName: null,
      reporterEmail: null,
      reporterPhone: null,
      submittedBy: 'citizen-owner',
    });
    await models.Workshop.collection.insertOne({
      _id: WORKSHOP as never,
      title: 'Premiers pas sur internet',
      description: 'Atelier découverte.',
      topic: 'DIGITAL_BASICS',
      audience: 'SENIORS',
      venue: 'Médiathèque Alcazar',
      location: { lat: 43.2986, lon: 5.3792 },
      district: '13201',
      startsAt: new Date(now.getTime() + 24 * HOUR),
      endsAt: new Date(now.getTime() + 26 * HOUR),
      capacity: 12,
      enrolledCount: 1,
      programId: null,
      hostStartupId: null,
      hostHubId: null,
    });
    await models.Enrolment.collection.insertOne({
      _id: ENROLMENT as never,
      workshopId: WORKSHOP,
      district: '13201',
      enrolledAt: new Date('2026-11-30T08:00:00Z'),
      participantName: 'Camille',
      participantEmail: 'camille@example.fr',
      participantPhone: null,
      enrolledBy: 'citizen-owner',
    });
    await models.Survey.collection.insertOne({
      _id: SURVEY as never,
      title: 'Le quartier',
      description: 'Consultation.',
      district: '13201',
      opensAt: new Date('2026-11-01T00:00:00Z'),
      closesAt: new Date('2026-12-15T00:00:00Z'),
      responseCount: 10,
      questions: [
        {
          questionId: 'q1',
          text: 'Un jardin ?',
          kind: 'SINGLE_CHOICE',
          options: [
            { optionId: 'yes', label: 'Oui', count: 6 },
            { optionId: 'no', label: 'Non', count: 4 },
          ],
          ratingCounts: [],
          answerCount: 10,
        },
        {
          questionId: 'q2',
          text: 'Note ?',
          kind: 'RATING',
          options: [],
          ratingCounts: [1, 1, 2, 3, 3],
          answerCount: 10,
        },
      ],
    });
    events.published.length = 0;
  });

  describe('citizen report (Open311 open/closed)', () => {
    const update = `mutation($status: CitizenReportStatus, $notes: String, $v: Int, $key: String) { updateCitizenReport(id: "${REPORT}", status: $status, statusNotes: $notes, expectedVersion: $v, idempotencyKey: $key) { id status statusNotes version updatedDatetime } }`;

    it('lets staff annotate and close a report, one version and one citizenReport.updated event per change', async () => {
      const noted = await executeAs(
        server,
        update,
        { notes: 'Équipe propreté prévenue.', v: 1 },
        staff,
      );
      expect(noted.errors).toBeUndefined();
      expect(noted.data?.['updateCitizenReport']).toMatchObject({
        status: 'OPEN',
        statusNotes: 'Équipe propreté prévenue.',
        version: 2,
        updatedDatetime: now.toISOString(),
      });
      const closed = await executeAs(
        server,
        update,
        { status: 'CLOSED', notes: 'Tag effacé.', v: 2 },
        staff,
      );
      expect(closed.data?.['updateCitizenReport']).toMatchObject({
        status: 'CLOSED',
        version: 3,
      });
      expect(events.published.map((e) => [e.type, e.payload])).toEqual([
        ['citizenReport.updated', { status: 'open', version: 2 }],
        ['citizenReport.updated', { status: 'closed', version: 3 }],
      ]);
    });

    it('lets the citizen who filed it close it, and no one else; a citizen cannot reopen', async () => {
      const other = await executeAs(
        server,
        update,
        { status: 'CLOSED' },
        stranger,
      );
      expect(other.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      const annotate = await executeAs(
        server,
        update,
        { notes: 'Je précise.' },
        owner,
      );
      expect(annotate.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      const own = await executeAs(
        server,
        update,
        { status: 'CLOSED', notes: 'Déjà effacé par le voisin.' },
        owner,
      );
      expect(own.data?.['updateCitizenReport']).toMatchObject({
        status: 'CLOSED',
      });
      const reopen = await executeAs(server, update, { status: 'OPEN' }, owner);
      expect(reopen.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    });

    it('refuses to close a closed report, or annotate it before it is reopened (INVALID_TRANSITION); staff may reopen', async () => {
      await executeAs(server, update, { status: 'CLOSED' }, staff);
      for (const variables of [{ status: 'CLOSED' }, { notes: 'Encore.' }]) {
        const refused = await executeAs(server, update, variables, staff);
        expect(refused.errors?.[0]?.extensions).toEqual({
          code: 'CONFLICT',
          reason: 'INVALID_TRANSITION',
          currentState: 'CLOSED',
        });
      }
      const reopened = await executeAs(
        server,
        update,
        { status: 'OPEN', notes: 'Le tag est revenu.' },
        staff,
      );
      expect(reopened.data?.['updateCitizenReport']).toMatchObject({
        status: 'OPEN',
        version: 3,
      });
    });

    it('refuses a stale version; a retry with the same key answers the first result once', async () => {
      const variables = { status: 'CLOSED', notes: 'Effacé.', key: 'cr-k1' };
      const first = await executeAs(server, update, variables, staff);
      now = new Date(now.getTime() + HOUR);
      expect(await executeAs(server, update, variables, staff)).toEqual(first);
      const stale = await executeAs(
        server,
        update,
        { status: 'OPEN', v: 1 },
        staff,
      );
      expect(stale.errors?.[0]?.extensions).toEqual({
        code: 'CONFLICT',
        reason: 'STALE_VERSION',
        currentVersion: 2,
      });
      expect(events.published).toHaveLength(1);
    });

    it('refuses an update that changes nothing, or notes too long, before reading', async () => {
      const empty = await executeAs(server, update, {}, staff);
      expect(empty.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      const long = await executeAs(
        server,
        update,
        { notes: 'x'.repeat(1001) },
        staff,
      );
      expect(long.errors?.[0]?.message).toContain(
        'statusNotes must be 1 to 1000 characters',
      );
    });
  });

  describe('workshops: create, cancel, attendance', () => {
    const create = `mutation($input: CreateWorkshopInput!, $key: String) { createWorkshop(input: $input, idempotencyKey: $key) { id status version district { code } program { id } enrolledCount } }`;
    const cancel = `mutation($id: ID!, $reason: String!, $v: Int, $key: String) { cancelWorkshop(id: $id, reason: $reason, expectedVersion: $v, idempotencyKey: $key) { id status version cancellationReason seatsLeft } }`;
    const attend = `mutation($attended: Boolean!, $v: Int, $key: String) { recordAttendance(enrolmentId: "${ENROLMENT}", attended: $attended, expectedVersion: $v, idempotencyKey: $key) { id attendance version } }`;
    const input = () => ({
      title: 'Sécurité en ligne',
      description: 'Mots de passe et arnaques.',
      topic: 'CYBERSECURITY',
      audience: 'ALL',
      venue: 'Cité des associations',
      location: { lat: 43.2976, lon: 5.3812 },
      startsAt: new Date(now.getTime() + 48 * HOUR).toISOString(),
      endsAt: new Date(now.getTime() + 50 * HOUR).toISOString(),
      capacity: 15,
    });

    it('creates a workshop once per idempotency key, in the district of its location', async () => {
      const variables = { input: input(), key: 'ws-create-1' };
      const created = await executeAs(server, create, variables, staff);
      expect(created.errors).toBeUndefined();
      expect(created.data?.['createWorkshop']).toMatchObject({
        status: 'SCHEDULED',
        version: 1,
        district: { code: '13201' },
        enrolledCount: 0,
      });
      expect(await executeAs(server, create, variables, staff)).toEqual(
        created,
      );
      expect(await models.Workshop.countDocuments().exec()).toBe(2);
      expect(events.published.map((e) => e.type)).toEqual(['workshop.created']);
    });

    it('refuses a workshop in the past, too long or of an unknown programme, writing nothing', async () => {
      const bad = await executeAs(
        server,
        create,
        {
          input: {
            ...input(),
            startsAt: '2026-11-01T10:00:00Z',
            endsAt: '2026-11-02T10:00:00Z',
            capacity: 0,
          },
        },
        staff,
      );
      expect(bad.errors?.[0]?.extensions?.['problems']).toHaveLength(3);
      const unknown = await executeAs(
        server,
        create,
        { input: { ...input(), programId: 'eng-tp-99' } },
        staff,
      );
      expect(unknown.errors?.[0]?.message).toContain(
        'names no training programme',
      );
      const citizen = await executeAs(
        server,
        create,
        { input: input() },
        owner,
      );
      expect(citizen.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(await models.Workshop.countDocuments().exec()).toBe(1);
    });

    it('cancels a scheduled workshop; enrolling is then refused; a cancelled or held workshop cannot be cancelled', async () => {
      const stale = await executeAs(
        server,
        cancel,
        { id: WORKSHOP, reason: 'Animatrice malade.', v: 2 },
        staff,
      );
      expect(stale.errors?.[0]?.extensions).toMatchObject({
        reason: 'STALE_VERSION',
        currentVersion: 1,
      });
      const cancelled = await executeAs(
        server,
        cancel,
        { id: WORKSHOP, reason: 'Animatrice malade.', v: 1 },
        staff,
      );
      expect(cancelled.data?.['cancelWorkshop']).toEqual({
        id: WORKSHOP,
        status: 'CANCELLED',
        version: 2,
        cancellationReason: 'Animatrice malade.',
        seatsLeft: 0,
      });
      const again = await executeAs(
        server,
        cancel,
        { id: WORKSHOP, reason: 'Bis.' },
        staff,
      );
      expect(again.errors?.[0]?.extensions).toMatchObject({
        reason: 'INVALID_TRANSITION',
        currentState: 'CANCELLED',
      });
      const enrol = await executeAs(
        server,
        `mutation { enrol(workshopId: "${WORKSHOP}", participant: { name: "Léa", email: "lea@example.fr", residentDistrict: "13201" }) { enrolmentId } }`,
        {},
        stranger,
      );
      expect(enrol.errors?.[0]?.message).toContain('cancelled');
      expect(events.published.map((e) => e.type)).toEqual([
        'workshop.cancelled',
      ]);
    });

    it('refuses to cancel a workshop that has started (HELD)', async () => {
      now = new Date(now.getTime() + 25 * HOUR);
      const held = await executeAs(
        server,
        cancel,
        { id: WORKSHOP, reason: 'Trop tard.' },
        staff,
      );
      expect(held.errors?.[0]?.extensions).toEqual({
        code: 'CONFLICT',
        reason: 'INVALID_TRANSITION',
        currentState: 'HELD',
      });
    });

    it('records attendance once the workshop has started, correctable, never before', async () => {
      const early = await executeAs(server, attend, { attended: true }, staff);
      expect(early.errors?.[0]?.extensions).toEqual({
        code: 'CONFLICT',
        reason: 'INVALID_TRANSITION',
        currentState: 'SCHEDULED',
      });
      now = new Date(now.getTime() + 27 * HOUR);
      const variables = { attended: true, v: 1, key: 'att-1' };
      const first = await executeAs(server, attend, variables, staff);
      expect(first.data?.['recordAttendance']).toEqual({
        id: ENROLMENT,
        attendance: 'ATTENDED',
        version: 2,
      });
      expect(await executeAs(server, attend, variables, staff)).toEqual(first);
      const same = await executeAs(server, attend, { attended: true }, staff);
      expect(same.errors?.[0]?.extensions).toMatchObject({
        reason: 'INVALID_TRANSITION',
        currentState: 'ATTENDED',
      });
      const stale = await executeAs(
        server,
        attend,
        { attended: false, v: 1 },
        staff,
      );
      expect(stale.errors?.[0]?.extensions?.['reason']).toBe('STALE_VERSION');
      const corrected = await executeAs(
        server,
        attend,
        { attended: false, v: 2 },
        staff,
      );
      expect(corrected.data?.['recordAttendance']).toMatchObject({
        attendance: 'ABSENT',
        version: 3,
      });
      const citizen = await executeAs(
        server,
        attend,
        { attended: true },
        owner,
      );
      expect(citizen.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(events.published.map((e) => e.type)).toEqual([
        'workshop.attendanceRecorded',
        'workshop.attendanceRecorded',
      ]);
    });
  });

  describe('survey answers (their own, once; a closed survey refuses)', () => {
    const answer = `mutation($answers: [SurveyAnswerInput!]!, $key: String) { answerSurvey(surveyId: "${SURVEY}", answers: $answers, idempotencyKey: $key) { answeredAt survey { responseCount questions { answerCount averageRating options { id count } } } } }`;
    const answers = [
      { questionId: 'q1', optionIds: ['no'] },
      { questionId: 'q2', rating: 5 },
    ];

    it('adds one answer to the aggregates, once per citizen', async () => {
      const first = await executeAs(server, answer, { answers }, owner);
      expect(first.errors).toBeUndefined();
      expect(first.data?.['answerSurvey']).toEqual({
        answeredAt: now.toISOString(),
        survey: {
          responseCount: 11,
          questions: [
            {
              answerCount: 11,
              averageRating: null,
              options: [
                { id: 'yes', count: 6 },
                { id: 'no', count: 5 },
              ],
            },
            { answerCount: 11, averageRating: 3.73, options: [] },
          ],
        },
      });
      const twice = await executeAs(server, answer, { answers }, owner);
      expect(twice.errors?.[0]?.extensions).toEqual({
        code: 'CONFLICT',
        reason: 'INVALID_TRANSITION',
        currentState: 'ANSWERED',
      });
      const other = await executeAs(server, answer, { answers }, stranger);
      expect(other.errors).toBeUndefined();
      const stored = await models.Survey.findById(SURVEY).lean().exec();
      expect(stored?.responseCount).toBe(12);
      // Who answered is kept pseudonymised, never the subject.
      expect(JSON.stringify(stored)).not.toContain('citizen-owner');
      expect(events.published.map((e) => [e.type, e.entity.id])).toEqual([
        ['survey.answered', SURVEY],
        ['survey.answered', SURVEY],
      ]);
      // Settled: no event left pending on the survey.
      expect(stored).not.toHaveProperty('pendingEvents');
    });

    it('counts one of two concurrent answers by the same citizen', async () => {
      const results = await Promise.all(
        [0, 1].map(() => executeAs(server, answer, { answers }, owner)),
      );
      expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
      expect(
        results.flatMap((r) => r.errors ?? []).map((e) => e.extensions),
      ).toEqual([
        {
          code: 'CONFLICT',
          reason: 'INVALID_TRANSITION',
          currentState: 'ANSWERED',
        },
      ]);
      expect(
        (await models.Survey.findById(SURVEY).lean().exec())?.responseCount,
      ).toBe(11);
    });

    it('answers a retry with the same key with the first receipt', async () => {
      const first = await executeAs(
        server,
        answer,
        { answers, key: 'sv-k1' },
        owner,
      );
      const retry = await executeAs(
        server,
        answer,
        { answers, key: 'sv-k1' },
        owner,
      );
      expect(retry).toEqual(first);
      expect(
        (await models.Survey.findById(SURVEY).lean().exec())?.responseCount,
      ).toBe(11);
    });

    it('refuses a closed survey, answers that do not fit the questions, and staff', async () => {
      now = new Date('2026-12-20T00:00:00Z');
      const closed = await executeAs(server, answer, { answers }, owner);
      expect(closed.errors?.[0]?.extensions).toEqual({
        code: 'CONFLICT',
        reason: 'INVALID_TRANSITION',
        currentState: 'CLOSED',
      });
      now = new Date('2026-12-02T10:00:00Z');
      const bad = await executeAs(
        server,
        answer,
        {
          answers: [
            { questionId: 'q1', optionIds: ['yes', 'no'] },
            { questionId: 'q2', rating: 6 },
            { questionId: 'q9', rating: 1 },
          ],
        },
        owner,
      );
      expect(bad.errors?.[0]?.extensions?.['problems']).toHaveLength(3);
      const byStaff = await executeAs(server, answer, { answers }, staff);
      expect(byStaff.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(
        (await models.Survey.findById(SURVEY).lean().exec())?.responseCount,
      ).toBe(10);
      expect(events.published).toEqual([]);
    });
  });
});
