/**
 * Erasure on request (GDPR art. 17, issue 14 item 4): staff with
 * `engagement:pii` erase the personal data of one account's records, and no
 * copy of it is left in any collection of engagement's database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import {
  createModels,
  type CitizenReportDoc,
  type EnrolmentDoc,
} from '../src/models/index.js';
import { generateEngagementSeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const CITIZEN = 'citizen-erasure-1';
const OTHER = 'citizen-erasure-2';
// The citizen's personal data, as distinctive strings to look for afterwards.
const PERSONAL = {
  name: 'Mireille Erasable',
  email: 'mireille.erasable@example.org',
  phone: '+33 6 98 76 54 32',
  text: 'Chez Mireille Erasable, 3 rue Effaçable: appelez le 06 98 76 54 32.',
};
const ERASE = /* GraphQL */ `
  mutation ($subject: ID!) {
    erasePersonalData(subject: $subject) {
      subject
      fields {
        coordinate
        erased
      }
      records {
        type
        count
      }
    }
  }
`;
const dpo = createViewer('eng-dpo-1', ['engagement:staff', 'engagement:pii']);

describe('erasePersonalData', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  const seed = generateEngagementSeed();

  beforeAll(async () => {
    db = await startTestDatabase('engagement-erasure');
    const models = createModels(db.connection);
    const [mine, theirs] = seed.reports.slice(0, 2);
    const [enrolment, otherEnrolment] = seed.enrolments.slice(0, 2);
    if (!mine || !theirs || !enrolment || !otherEnrolment)
      throw new Error('the seed has too few reports or enrolments');
    const citizenReports: CitizenReportDoc[] = [
      {
        ...mine,
        submittedBy: CITIZEN,
        reporterName: PERSONAL.name,
        reporterEmail: PERSONAL.email,
        reporterPhone: PERSONAL.phone,
        descriptionOriginal: PERSONAL.text,
      },
      { ...theirs, submittedBy: OTHER, reporterEmail: 'other@example.org' },
    ];
    await upsertAll(models.CitizenReport, citizenReports);
    const citizenEnrolments: EnrolmentDoc[] = [
      {
        ...enrolment,
        enrolledBy: CITIZEN,
        participantName: PERSONAL.name,
        participantEmail: PERSONAL.email,
        participantPhone: PERSONAL.phone,
      },
      {
        ...otherEnrolment,
        enrolledBy: OTHER,
        participantEmail: 'other@example.org',
      },
    ];
    await upsertAll(models.Enrolment, citizenEnrolments);
    // The kept answer of one of the citizen's own retried mutations.
    await models.IdempotencyRecord.collection.insertOne({
      _id: 'retry-of-citizen' as never,
      subject: CITIZEN,
      state: 'done',
      result: { reporterEmail: PERSONAL.email },
    });
    server = createServer({
      connection: db.connection,
      events: createRecordingEventPublisher(),
      logger: createSilentLogger(),
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server?.apollo.stop();
    await db?.stop();
  });

  /** Every document of every collection of the database, as text. */
  const everything = async (): Promise<string> => {
    const collections = await db.connection.db!.listCollections().toArray();
    const docs = await Promise.all(
      collections.map((c) =>
        db.connection.db!.collection(c.name).find({}).toArray(),
      ),
    );
    return JSON.stringify(docs);
  };

  it('is refused to staff without engagement:pii, and changes nothing', async () => {
    const before = await everything();
    const result = await executeAs(
      server,
      ERASE,
      { subject: CITIZEN },
      createViewer('eng-agent-1', ['engagement:staff']),
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(await everything()).toBe(before);
  });

  it('refuses an empty subject with BAD_USER_INPUT', async () => {
    const result = await executeAs(server, ERASE, { subject: '  ' }, dpo);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it("erases the account's personal data everywhere in the database, reports it, and leaves other accounts alone", async () => {
    const before = await everything();
    for (const value of Object.values(PERSONAL))
      expect(before).toContain(value);

    const result = await executeAs(server, ERASE, { subject: CITIZEN }, dpo);
    expect(result.errors).toBeUndefined();
    const erasure = result.data?.['erasePersonalData'] as {
      fields: { coordinate: string; erased: number }[];
      records: { type: string; count: number }[];
    };
    expect(erasure.records).toEqual([
      { type: 'CitizenReport', count: 1 },
      { type: 'Enrolment', count: 1 },
      { type: 'IdempotencyRecord', count: 1 },
    ]);
    expect(erasure.fields).toEqual(
      expect.arrayContaining([
        { coordinate: 'CitizenReport.reporterEmail', erased: 1 },
        { coordinate: 'CitizenReport.originalDescription', erased: 1 },
        { coordinate: 'Enrolment.participantEmail', erased: 1 },
        { coordinate: 'Enrolment.participantPhone', erased: 1 },
      ]),
    );

    const after = await everything();
    for (const value of [
      PERSONAL.name,
      PERSONAL.email,
      PERSONAL.phone,
      PERSONAL.text,
    ])
      expect(after).not.toContain(value);
    expect(after).toContain('other@example.org');

    // Again: nothing more to erase.
    const again = await executeAs(server, ERASE, { subject: CITIZEN }, dpo);
    expect(
      (
        again.data?.['erasePersonalData'] as {
          fields: { erased: number }[];
        }
      ).fields,
    ).toEqual([]);
  });
});
