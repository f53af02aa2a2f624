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
import { policiesForScopes } from '../../../lib/runtime/roles.js';
import { createViewer, withPurpose } from '../../../lib/runtime/viewer.js';
import { createServer } from '../src/server.js';
import { createModels } from '../src/models/index.js';
import { generateEngagementSeed, seedEngagement } from '../src/seed.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';

/** What the resolvers under test publish. */
const events = createRecordingEventPublisher();

defineSubgraphContractSuite({ name: 'engagement', createServer });

// Inside the seed window's last day: some workshops are past, some upcoming.
const NOW = new Date('2026-11-22T12:00:00Z');
// As the gateway forwards them: policies derived from the scopes.
const viewer = (subject: string, scopes: string[]) =>
  createViewer(subject, scopes, policiesForScopes(scopes));
const citizen = viewer('citizen-42', ['citizen']);
const staffNoPii = viewer('agent-7', ['engagement:staff']);
const staffNoPurpose = viewer('agent-8', [
  'engagement:staff',
  'engagement:pii',
]);
// Personal data is read for a declared purpose of the role (ADR 0015).
const staff = withPurpose(staffNoPurpose, 'report-follow-up');

describe('engagement subgraph', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  let models: ReturnType<typeof createModels>;
  const seed = generateEngagementSeed();

  beforeAll(async () => {
    db = await startTestDatabase('engagement-test');
    models = createModels(db.connection);
    await seedEngagement(models);
    server = createServer({
      connection: db.connection,
      events,
      logger: createSilentLogger(),
      now: () => NOW,
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  it('generates the same seed on every run, with the expected sizes', () => {
    const again = generateEngagementSeed();
    expect(JSON.stringify(again)).toBe(JSON.stringify(seed));
    expect(seed.workshops).toHaveLength(60);
    expect(seed.reports).toHaveLength(2000);
    expect(seed.indicators).toHaveLength(192);
    expect(seed.programs).toHaveLength(6);
    expect(seed.surveys).toHaveLength(8);
  });

  it('re-seeding does not duplicate anything', async () => {
    const before = await models.CitizenReport.countDocuments().exec();
    await seedEngagement(models);
    expect(await models.CitizenReport.countDocuments().exec()).toBe(before);
    expect(await models.Enrolment.countDocuments().exec()).toBe(
      seed.enrolments.length,
    );
  });

  it('resolves 60 Workshop references with one database query', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Workshop { id title seatsLeft } } }',
      {
        r: seed.workshops.map((w) => ({ __typename: 'Workshop', id: w._id })),
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toHaveLength(60);
    expect(db.commands()).toEqual(['find workshops']);
  });

  it("resolves 64 traffic lights' reports (mobility's entity) with one database query", async () => {
    const lights = [
      ...new Set(
        seed.reports.flatMap((r) =>
          r.trafficLightId ? [r.trafficLightId] : [],
        ),
      ),
    ];
    db.resetCommands();
    const result = await executeAs(
      server,
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on TrafficLight { id reports(first: 2) { totalCount nodes { id serviceCode trafficLight { id } } } }
      } }`,
      { r: lights.map((id) => ({ __typename: 'TrafficLight', id })) },
    );
    expect(result.errors).toBeUndefined();
    expect(db.commands()).toEqual(['find citizen_reports']);
    const entities = result.data?.['_entities'] as {
      id: string;
      reports: {
        totalCount: number;
        nodes: { serviceCode: string; trafficLight: { id: string } }[];
      };
    }[];
    expect(entities).toHaveLength(lights.length);
    const total = entities.reduce((n, e) => n + e.reports.totalCount, 0);
    expect(total).toBe(seed.reports.filter((r) => r.trafficLightId).length);
    for (const e of entities)
      for (const node of e.reports.nodes) {
        expect(node.trafficLight.id).toBe(e.id);
        expect(node.serviceCode).toMatch(/^feu-/);
      }
  });

  it("pages through a traffic light's reports newest first without overlap", async () => {
    const counts = new Map<string, number>();
    for (const r of seed.reports)
      if (r.trafficLightId)
        counts.set(r.trafficLightId, (counts.get(r.trafficLightId) ?? 0) + 1);
    const [lightId, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: TestResult = await executeAs(
        server,
        `query($id: ID!, $after: String) { _entities(representations: [{ __typename: "TrafficLight", id: $id }]) {
          ... on TrafficLight { reports(first: 2, after: $after) { nodes { requestedDatetime } pageInfo { hasNextPage endCursor } } }
        } }`,
        { id: lightId, after },
      );
      expect(result.errors).toBeUndefined();
      const page = (
        result.data?.['_entities'] as {
          reports: {
            nodes: { requestedDatetime: string }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        }[]
      )[0]?.reports;
      seen.push(...(page?.nodes.map((n) => n.requestedDatetime) ?? []));
      if (!page?.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(count ?? -1);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('links reports to water meters and workshops to startups and hubs as stubs', async () => {
    const report = seed.reports.find((r) => r.waterMeterId);
    const workshop = seed.workshops.find((w) => w.hostHubId && w.hostStartupId);
    const result = await executeAs(
      server,
      `query($r: ID!, $w: ID!) {
        citizenReport(id: $r) { waterMeter { id } district { code } }
        workshop(id: $w) { hostStartup { id } hostHub { id } program { id } }
      }`,
      { r: report?._id, w: workshop?._id },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      citizenReport: {
        waterMeter: { id: report?.waterMeterId },
        district: { code: report?.district },
      },
      workshop: {
        hostStartup: { id: workshop?.hostStartupId },
        hostHub: { id: workshop?.hostHubId },
        program: { id: workshop?.programId },
      },
    });
  });

  it("hides a reporter's contact from anonymous callers and citizens, shows it with engagement:pii", async () => {
    const report = seed.reports.find((r) => r.reporterEmail);
    const query = `{ citizenReport(id: "${report?._id}") { id status reporterName reporterEmail } }`;
    const anonymous = await executeAs(server, query);
    expect(anonymous.data?.['citizenReport']).toEqual({
      id: report?._id,
      status: report?.status.toUpperCase(),
      reporterName: null,
      reporterEmail: null,
    });
    expect(anonymous.errors?.map((e) => e.extensions?.['code'])).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
    ]);
    const asCitizen = await executeAs(server, query, {}, citizen);
    expect(asCitizen.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const asStaff = await executeAs(server, query, {}, staff);
    expect(asStaff.errors).toBeUndefined();
    expect(asStaff.data?.['citizenReport']).toMatchObject({
      reporterEmail: report?.reporterEmail,
    });
    // The scope without a declared purpose is not enough.
    const noPurpose = await executeAs(server, query, {}, staffNoPurpose);
    expect(noPurpose.data?.['citizenReport']).toMatchObject({
      reporterEmail: null,
    });
    expect(noPurpose.errors?.[0]?.message).toMatch(
      /is personal data: declare the purpose of this request in the x-data-purpose header/,
    );
  });

  it('shows a roster to staff: the people only with the pii-access policy', async () => {
    const workshop = seed.workshops.find((w) => w.enrolledCount > 2);
    const query = `{ workshop(id: "${workshop?._id}") { enrolledCount enrolments(first: 2) { totalCount nodes { participantName residentDistrict { code } } } } }`;
    const anonymous = await executeAs(server, query);
    expect(anonymous.data?.['workshop']).toEqual({
      enrolledCount: workshop?.enrolledCount,
      enrolments: null,
    });
    const noPii = await executeAs(server, query, {}, staffNoPii);
    expect(noPii.data?.['workshop']).toEqual({
      enrolledCount: workshop?.enrolledCount,
      enrolments: { totalCount: workshop?.enrolledCount, nodes: null },
    });
    expect(noPii.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const withPii = await executeAs(server, query, {}, staff);
    expect(withPii.errors).toBeUndefined();
    const nodes = (
      withPii.data?.['workshop'] as {
        enrolments: { nodes: { participantName: string }[] };
      }
    ).enrolments.nodes;
    expect(nodes).toHaveLength(2);
    expect(nodes[0]?.participantName).toMatch(/\S+ \S+/);
  });

  it('pages through district reports newest first, filtered by status, without overlap', async () => {
    const expected = seed.reports.filter(
      (r) => r.district === '13203' && r.status === 'open',
    ).length;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: TestResult = await executeAs(
        server,
        `query($after: String) { district: ${districtEntities(['13203'])} { ... on District { citizenReports(status: OPEN, first: 100, after: $after) {
          totalCount nodes { id status requestedDatetime } pageInfo { hasNextPage endCursor } } } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const page = (
        (result.data?.['district'] as unknown[])[0] as {
          citizenReports: {
            totalCount: number;
            nodes: { id: string; status: string; requestedDatetime: string }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        }
      ).citizenReports;
      expect(page.totalCount).toBe(expected);
      expect(page.nodes.every((n) => n.status === 'OPEN')).toBe(true);
      seen.push(...page.nodes.map((n) => n.requestedDatetime));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(expected);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('answers participation for all 16 districts with one query per collection', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      `{ districts: ${districtEntities()} { ... on District { code participation { workshopsHeld residentEnrolments citizenReports openCitizenReports enrolmentsPer1000 } digitalInclusion { latest { period } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(db.commands().sort()).toEqual([
      'aggregate citizen_reports',
      'aggregate digital_inclusion_indicators',
      'aggregate enrolments',
      'aggregate workshops',
    ]);
    const rows = result.data?.['districts'] as {
      participation: { citizenReports: number; residentEnrolments: number };
      digitalInclusion: { latest: { period: string } };
    }[];
    expect(rows.reduce((n, r) => n + r.participation.citizenReports, 0)).toBe(
      2000,
    );
    expect(
      rows.reduce((n, r) => n + r.participation.residentEnrolments, 0),
    ).toBe(seed.enrolments.length);
    expect(
      rows.every((r) => r.digitalInclusion.latest.period === '2026-11'),
    ).toBe(true);
  });

  it('ranks the 16 districts by digital divide, most left behind first', async () => {
    const result = await executeAs(
      server,
      '{ digitalDivideRanking { rank divideScore district { code } indicator { period residentsWithoutInternet { value unit } } } }',
    );
    expect(result.errors).toBeUndefined();
    const rows = result.data?.['digitalDivideRanking'] as {
      rank: number;
      divideScore: number;
      district: { code: string };
      indicator: { period: string; residentsWithoutInternet: { unit: string } };
    }[];
    expect(rows.map((r) => r.rank)).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    expect(rows[0]?.indicator.period).toBe('2026-11');
    expect(rows[0]?.indicator.residentsWithoutInternet.unit).toBe('%');
    const scores = rows.map((r) => r.divideScore);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The northern districts are among the most left behind, the 8e among the least.
    expect(rows.slice(0, 5).map((r) => r.district.code)).toContain('13215');
    expect(rows.slice(-5).map((r) => r.district.code)).toContain('13208');
  });

  it('pages a district inclusion series newest first and filters by time range', async () => {
    const result = await executeAs(
      server,
      `{ district: ${districtEntities(['13214'])} { ... on District { digitalInclusion { series(first: 3, range: { from: "2026-06-01T00:00:00Z" }) { totalCount nodes { period } } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect((result.data?.['district'] as unknown[])[0]).toEqual({
      digitalInclusion: {
        series: {
          totalCount: 6,
          nodes: [
            { period: '2026-11' },
            { period: '2026-10' },
            { period: '2026-09' },
          ],
        },
      },
    });
  });

  it('rejects bad arguments with BAD_USER_INPUT', async () => {
    for (const query of [
      '{ citizenReports(district: "75001") { totalCount } }',
      '{ workshops(first: 1000) { totalCount } }',
      '{ citizenReports(range: { from: "2026-11-22T00:00:00Z", to: "2026-11-20T00:00:00Z" }) { totalCount } }',
      '{ citizenReports(serviceCode: "nope") { totalCount } }',
      '{ digitalDivideRanking(period: "2026-13") { rank } }',
    ]) {
      const result = await executeAs(server, query);
      expect(result.errors?.[0]?.extensions?.['code'], query).toBe(
        'BAD_USER_INPUT',
      );
    }
  });

  describe('submitCitizenReport', () => {
    const mutation = /* GraphQL */ `
      mutation ($input: CitizenReportInput!) {
        submitCitizenReport(input: $input) {
          id
          status
          serviceName
          trafficLight {
            id
          }
        }
      }
    `;
    const valid = {
      serviceCode: 'feu-panne',
      description: 'Le feu est bloqué au rouge depuis une heure.',
      location: { lat: 43.2965, lon: 5.3798 },
      district: '13201',
      address: '1 La Canebière, 13001 Marseille',
      trafficLightId: 'mob-tl-13201-03',
      reporter: {
        name: 'Camille Test',
        email: 'camille.test@example.fr',
        phone: '+33 6 39 98 00 01',
      },
    };

    it('refuses anonymous callers', async () => {
      const result = await executeAs(server, mutation, { input: valid });
      expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });

    it('refuses bad input listing every problem and writes nothing', async () => {
      const before = await models.CitizenReport.countDocuments().exec();
      db.resetCommands();
      const result = await executeAs(
        server,
        mutation,
        {
          input: {
            serviceCode: 'ovni',
            description: 'court',
            location: { lat: 48.85, lon: 2.35 },
            district: '75001',
            trafficLightId: 'mob-tl-13205',
            waterMeterId: 'env-wm-13202-1',
            reporter: { email: 'pas-un-email', phone: '12' },
          },
        },
        citizen,
      );
      expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      const problems = result.errors?.[0]?.extensions?.['problems'] as string[];
      expect(problems.join('\n')).toMatch(/serviceCode/);
      expect(problems.join('\n')).toMatch(/description/);
      expect(problems.join('\n')).toMatch(/outside Marseille/);
      expect(problems.join('\n')).toMatch(/district "75001"/);
      expect(problems.join('\n')).toMatch(/trafficLightId "mob-tl-13205"/);
      expect(problems.join('\n')).toMatch(/reporter.email/);
      expect(problems.join('\n')).toMatch(/reporter.phone/);
      expect(db.commands()).toEqual([]);
      expect(await models.CitizenReport.countDocuments().exec()).toBe(before);
    });

    it('refuses an asset in another district or of the wrong kind', async () => {
      const result = await executeAs(
        server,
        mutation,
        {
          input: {
            ...valid,
            serviceCode: 'proprete-tag',
            trafficLightId: 'mob-tl-13202-01',
          },
        },
        citizen,
      );
      const problems = result.errors?.[0]?.extensions?.['problems'] as string[];
      expect(problems).toEqual([
        'trafficLightId is only for TrafficLight service types, not "proprete-tag"',
        'trafficLightId "mob-tl-13202-01" is in district 13202, not 13201',
      ]);
    });

    it("files a valid report that shows on the traffic light's reports", async () => {
      const result = await executeAs(
        server,
        mutation,
        { input: valid },
        citizen,
      );
      expect(result.errors).toBeUndefined();
      const created = result.data?.['submitCitizenReport'] as {
        id: string;
      };
      expect(result.data?.['submitCitizenReport']).toMatchObject({
        status: 'OPEN',
        serviceName: 'Feu tricolore en panne',
        trafficLight: { id: 'mob-tl-13201-03' },
      });
      const stored = await models.CitizenReport.findById(created.id)
        .lean()
        .exec();
      expect(stored).toMatchObject({
        submittedBy: 'citizen-42',
        reporterEmail: 'camille.test@example.fr',
        requestedDatetime: NOW,
      });
      const light = await executeAs(
        server,
        '{ _entities(representations: [{ __typename: "TrafficLight", id: "mob-tl-13201-03" }]) { ... on TrafficLight { reports(status: OPEN, first: 1) { nodes { id } } } } }',
      );
      expect(light.data?.['_entities']).toEqual([
        { reports: { nodes: [{ id: created.id }] } },
      ]);
    });

    it('masks personal data written in the description; the original is for engagement:pii only', async () => {
      const written =
        'Feu en panne, rappelez-moi au 06 12 34 56 78 ou à camille@example.fr';
      const submitted = await executeAs(
        server,
        'mutation ($input: CitizenReportInput!) { submitCitizenReport(input: $input) { id description descriptionRedactions } }',
        {
          input: {
            ...valid,
            description: written,
            location: { lat: 43.2967, lon: 5.3801 },
          },
        },
        citizen,
      );
      expect(submitted.errors).toBeUndefined();
      const report = submitted.data?.['submitCitizenReport'] as {
        id: string;
        description: string;
      };
      expect(report).toMatchObject({
        description:
          'Feu en panne, rappelez-moi au [téléphone masqué] ou à [adresse e-mail masquée]',
        descriptionRedactions: ['EMAIL', 'PHONE'],
      });
      // Stored masked: no copy of the number in the public field.
      const stored = await models.CitizenReport.findById(report.id)
        .lean()
        .exec();
      expect(stored?.description).not.toContain('06 12 34 56 78');
      expect(stored?.descriptionOriginal).toBe(written);

      const read = (as: typeof staff) =>
        executeAs(
          server,
          'query ($id: ID!) { citizenReport(id: $id) { description originalDescription } }',
          { id: report.id },
          as,
        );
      const withPii = await read(staff);
      expect(withPii.errors).toBeUndefined();
      expect(withPii.data?.['citizenReport']).toEqual({
        description: report.description,
        originalDescription: written,
      });
      const withoutPii = await read(staffNoPii);
      expect(withoutPii.data?.['citizenReport']).toEqual({
        description: report.description,
        originalDescription: null,
      });
      expect(withoutPii.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    });
  });

  describe('enrol', () => {
    const mutation = /* GraphQL */ `
      mutation ($w: ID!, $p: ParticipantInput!) {
        enrol(workshopId: $w, participant: $p) {
          enrolmentId
          workshop {
            id
            enrolledCount
            seatsLeft
          }
        }
      }
    `;
    const participant = {
      name: 'Sami Essai',
      email: 'Sami.Essai@example.fr',
      residentDistrict: '13215',
    };
    const upcoming = () => {
      const w = seed.workshops.find(
        (x) => x.startsAt > NOW && x.enrolledCount < x.capacity - 1,
      );
      if (!w) throw new Error('no upcoming workshop in the seed');
      return w;
    };

    it('enrols once, counts the seat, and answers a repeat like an enrolment without changing anything (no membership oracle)', async () => {
      const workshop = upcoming();
      const first = await executeAs(
        server,
        mutation,
        { w: workshop._id, p: participant },
        citizen,
      );
      expect(first.errors).toBeUndefined();
      expect(first.data?.['enrol']).toMatchObject({
        workshop: {
          id: workshop._id,
          enrolledCount: workshop.enrolledCount + 1,
          seatsLeft: workshop.capacity - workshop.enrolledCount - 1,
        },
      });
      const again = await executeAs(
        server,
        mutation,
        {
          w: workshop._id,
          p: { ...participant, email: 'sami.essai@example.fr' },
        },
        citizen,
      );
      expect(again.errors).toBeUndefined();
      expect(Object.keys(again.data?.['enrol'] as object).sort()).toEqual(
        Object.keys(first.data?.['enrol'] as object).sort(),
      );
      expect(JSON.stringify(again)).not.toContain('sami.essai');
      const stored = await models.Workshop.findById(workshop._id).lean().exec();
      expect(stored?.enrolledCount).toBe(workshop.enrolledCount + 1);
      expect(
        await models.Enrolment.countDocuments({
          workshopId: workshop._id,
        }).exec(),
      ).toBe(workshop.enrolledCount + 1);
    });

    it('refuses a full workshop and one that has started, writing nothing', async () => {
      await models.Workshop.create({
        ...upcoming(),
        _id: 'eng-ws-test-full',
        programId: null,
        capacity: 1,
        enrolledCount: 1,
      });
      const past = seed.workshops.find((w) => w.startsAt < NOW);
      const before = await models.Enrolment.countDocuments().exec();
      for (const w of ['eng-ws-test-full', past?._id]) {
        const result = await executeAs(
          server,
          mutation,
          { w, p: { ...participant, email: 'other@example.fr' } },
          citizen,
        );
        expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      }
      expect(await models.Enrolment.countDocuments().exec()).toBe(before);
    });

    it('enforces capacity under concurrent enrolments', async () => {
      await models.Workshop.create({
        ...upcoming(),
        _id: 'eng-ws-test-race',
        programId: null,
        capacity: 3,
        enrolledCount: 0,
      });
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          executeAs(
            server,
            mutation,
            {
              w: 'eng-ws-test-race',
              p: { ...participant, email: `p${i}@example.fr` },
            },
            citizen,
          ),
        ),
      );
      expect(results.filter((r) => !r.errors).length).toBe(3);
      expect(
        await models.Enrolment.countDocuments({
          workshopId: 'eng-ws-test-race',
        }).exec(),
      ).toBe(3);
      const stored = await models.Workshop.findById('eng-ws-test-race')
        .lean()
        .exec();
      expect(stored?.enrolledCount).toBe(3);
    });

    it('refuses bad participant input listing every problem, and an unknown workshop', async () => {
      const bad = await executeAs(
        server,
        mutation,
        {
          w: 'ws-1',
          p: { name: 'X', email: 'nope', phone: 'abc', residentDistrict: '1' },
        },
        citizen,
      );
      expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(bad.errors?.[0]?.extensions?.['problems']).toHaveLength(5);
      const missing = await executeAs(
        server,
        mutation,
        { w: 'eng-ws-999', p: participant },
        citizen,
      );
      expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      const anonymous = await executeAs(server, mutation, {
        w: upcoming()._id,
        p: participant,
      });
      expect(anonymous.errors?.[0]?.extensions?.['code']).toBe(
        'UNAUTHENTICATED',
      );
    });
  });

  it('filters surveys by status at the current time and aggregates their answers', async () => {
    const result = await executeAs(
      server,
      '{ open: surveys(status: OPEN) { totalCount nodes { status } } closed: surveys(status: CLOSED) { totalCount } survey(id: "eng-sv-1") { responseCount questions { kind answerCount averageRating options { count share } } } }',
    );
    expect(result.errors).toBeUndefined();
    const data = result.data as {
      open: { totalCount: number; nodes: { status: string }[] };
      closed: { totalCount: number };
      survey: {
        questions: {
          kind: string;
          answerCount: number;
          averageRating: number | null;
          options: { count: number }[];
        }[];
      };
    };
    expect(data.open.totalCount).toBe(5);
    expect(data.open.nodes.every((n) => n.status === 'OPEN')).toBe(true);
    expect(data.closed.totalCount).toBe(3);
    const [single, , rating] = data.survey.questions;
    expect(single?.options.reduce((n, o) => n + o.count, 0)).toBe(
      single?.answerCount,
    );
    expect(rating?.kind).toBe('RATING');
    expect(rating?.averageRating).toBeGreaterThanOrEqual(1);
    expect(rating?.averageRating).toBeLessThanOrEqual(5);
  });

  it('lists training programmes with their workshops and public enrolment counts', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      '{ trainingPrograms { id enrolledCount workshops { id } } serviceTypes { serviceCode assetType } surveys(first: 3) { totalCount nodes { id status questions { kind answerCount options { share } averageRating } } } }',
    );
    expect(result.errors).toBeUndefined();
    const programs = result.data?.['trainingPrograms'] as {
      workshops: unknown[];
    }[];
    expect(programs).toHaveLength(6);
    expect(programs.every((p) => p.workshops.length === 8)).toBe(true);
    expect(db.commands().filter((c) => c === 'find workshops')).toHaveLength(1);
    expect(result.data?.['serviceTypes']).toContainEqual({
      serviceCode: 'feu-panne',
      assetType: 'TrafficLight',
    });
  });
});
