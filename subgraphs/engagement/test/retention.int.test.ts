import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { upsertAll } from '../../../lib/subgraph-kit/seeding.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import {
  createModels,
  type CitizenReportDoc,
  type EnrolmentDoc,
} from '../src/models/index.js';
import { createEngagementRetention, ERASED } from '../src/retention.js';
import { generateEngagementSeed } from '../src/seed.js';
import { typeDefs } from '../src/server.js';

// The seed's reports and enrolments, aged: the first of each filed two years
// before `NOW` (past the 1-year and 6-month periods), the second a week before.
const NOW = new Date('2028-12-01T00:00:00Z');
const OLD = new Date('2026-11-20T09:00:00Z');
const RECENT = new Date('2028-11-24T09:00:00Z');

describe('engagement retention job', () => {
  let db: TestDatabase;
  let models: ReturnType<typeof createModels>;
  const seed = generateEngagementSeed();
  const reports = seed.reports.filter((r) => r.reporterEmail).slice(0, 2);
  const enrolments = seed.enrolments.slice(0, 2);

  beforeAll(async () => {
    db = await startTestDatabase('engagement-retention');
    models = createModels(db.connection);
    const [old, recent] = reports;
    if (!old || !recent)
      throw new Error('the seed has no reports with a reporter');
    const agedReports: CitizenReportDoc[] = [
      {
        ...old,
        requestedDatetime: OLD,
        updatedDatetime: OLD,
        description: 'Appelez-moi au 06 12 34 56 78 pour le trottoir.',
        descriptionOriginal: 'Appelez-moi au 06 12 34 56 78 pour le trottoir.',
        reporterPhone: '+33 6 12 34 56 78',
      },
      { ...recent, requestedDatetime: RECENT, updatedDatetime: RECENT },
    ];
    await upsertAll(models.CitizenReport, agedReports);
    const [oldEnrolment, recentEnrolment] = enrolments;
    if (!oldEnrolment || !recentEnrolment) throw new Error('no enrolments');
    const agedEnrolments: EnrolmentDoc[] = [
      { ...oldEnrolment, enrolledAt: OLD },
      { ...recentEnrolment, enrolledAt: RECENT },
    ];
    await upsertAll(models.Enrolment, agedEnrolments);
  });

  afterAll(async () => {
    await db?.stop();
  });

  it('erases personal data older than the period its schema declares, and keeps the rest', async () => {
    const job = createEngagementRetention(
      typeDefs,
      models,
      createSilentLogger(),
    );
    const report = await job.run(NOW);
    expect(report.fields).toContainEqual({
      coordinate: 'CitizenReport.reporterEmail',
      retention: 'P1Y',
      erased: 1,
    });
    expect(report.fields).toContainEqual({
      coordinate: 'Enrolment.participantEmail',
      retention: 'P6M',
      erased: 1,
    });

    const [old, recent] = await Promise.all(
      reports.map((r) => models.CitizenReport.findById(r._id).lean().exec()),
    );
    expect(old).toMatchObject({
      reporterName: null,
      reporterEmail: null,
      reporterPhone: null,
      descriptionOriginal: null,
    });
    // The public, masked text stays; the number it hid is gone everywhere.
    expect(JSON.stringify(old)).not.toContain('12 34 56 78');
    expect(recent?.reporterEmail).toBe(reports[1]?.reporterEmail);

    const [oldEnrolment, recentEnrolment] = await Promise.all(
      enrolments.map((e) => models.Enrolment.findById(e._id).lean().exec()),
    );
    expect(oldEnrolment).toMatchObject({
      participantName: ERASED,
      participantEmail: `erased-${enrolments[0]?._id}@invalid`,
      participantPhone: null,
    });
    expect(JSON.stringify(oldEnrolment)).not.toContain(
      enrolments[0]?.participantEmail,
    );
    expect(recentEnrolment?.participantEmail).toBe(
      enrolments[1]?.participantEmail,
    );

    // Nothing is left to erase: a second run changes nothing.
    const again = await job.run(NOW);
    expect(again.fields.every((field) => field.erased === 0)).toBe(true);
  });

  it('refuses to start when a declared period has no stored field', async () => {
    const { createRetentionJob } =
      await import('../../../lib/subgraph-kit/retention.js');
    const { readAccessRules } =
      await import('../../../lib/records/access/index.js');
    expect(() =>
      createRetentionJob({
        rules: readAccessRules(typeDefs),
        types: {},
        logger: createSilentLogger(),
      }),
    ).toThrow(/declares retention P\dY|declares retention P\dM/);
  });
});
