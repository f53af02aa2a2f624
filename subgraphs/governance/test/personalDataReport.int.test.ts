import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuditTrail,
  type AuditedRecord,
} from '../../../lib/records/audit/index.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer, withPurpose } from '../../../lib/runtime/viewer.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import { sampleAuditEvent } from '../../../lib/tooling/testing/sampleAuditEvent.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createServer } from '../src/server.js';

const auditor = withPurpose(
  createViewer('auditor-01', ['audit:read'], ['auditor']),
  'audit',
);
const staff = createViewer('staff-01', ['engagement:staff', 'engagement:pii']);

const record = (
  id: string,
  subject: string | null,
  fields = ['CitizenReport.reporterEmail'],
  personalData = true,
): AuditedRecord => ({
  type: 'CitizenReport',
  id,
  subject,
  fields,
  personalData,
});

describe('the record-level trail (issue 14)', () => {
  let db: TestDatabase;
  let dir: string;
  let server: ReturnType<typeof createServer>;

  beforeAll(async () => {
    db = await startTestDatabase('governance-records');
    dir = await mkdtemp(path.join(tmpdir(), 'governance-records-'));
    const supergraphPath = path.join(dir, 'supergraph.graphql');
    const composed = composeServices([
      {
        name: 'governance',
        url: 'http://127.0.0.1:4005/graphql',
        typeDefs: parse(
          readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
        ),
      },
    ]);
    if (!composed.supergraphSdl) throw new Error('composition failed');
    await writeFile(supergraphPath, composed.supergraphSdl);
    server = createServer({
      connection: db.connection,
      events: createRecordingEventPublisher(),
      logger: createSilentLogger(),
      supergraphPath,
    });
    await server.apollo.start();
    const trail = createAuditTrail({
      connection: db.connection,
      chainId: 'gateway-r',
      logger: createSilentLogger(),
    });
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 9, minute));
    // 1: staff-01 reads three reports, two of them about citizen-a.
    await trail.record(
      sampleAuditEvent({
        at: at(1),
        requestId: 'q1',
        subject: 'staff-01',
        clientName: 'citizen-desk',
        operationName: 'OpenReports',
        records: [
          record('eng-cr-1', 'citizen-a'),
          record('eng-cr-2', 'citizen-b'),
          record('eng-cr-3', 'citizen-a'),
        ],
      }),
    );
    // 2: staff-02 reads citizen-b's report only.
    await trail.record(
      sampleAuditEvent({
        at: at(2),
        requestId: 'q2',
        subject: 'staff-02',
        records: [record('eng-cr-2', 'citizen-b')],
      }),
    );
    // 3: a protected field that is not personal data, on citizen-a's report.
    await trail.record(
      sampleAuditEvent({
        at: at(3),
        requestId: 'q3',
        subject: 'staff-03',
        records: [
          record(
            'eng-cr-1',
            'citizen-a',
            ['CitizenReport.internalNote'],
            false,
          ),
        ],
      }),
    );
    // 4: denied, nothing served.
    await trail.record(
      sampleAuditEvent({ at: at(4), requestId: 'q4', subject: null }),
    );
    await trail.close();
  });

  afterAll(async () => {
    await server?.apollo.stop();
    await db?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the events that were served one record, by its type and key', async () => {
    const result = await executeAs(
      server,
      '{ auditEvents(filter: { entity: { type: "CitizenReport", id: "eng-cr-1" } }) { totalCount nodes { requestId records { type id fields } } } }',
      {},
      auditor,
    );
    expect(result.errors).toBeUndefined();
    const events = result.data?.['auditEvents'] as {
      totalCount: number;
      nodes: { requestId: string }[];
    };
    expect(events.totalCount).toBe(2);
    expect(events.nodes.map((node) => node.requestId)).toEqual(['q3', 'q1']);
  });

  it("lists exactly the reads of one citizen's personal data: when, by whom, which records", async () => {
    const result = await executeAs(
      server,
      `{ personalDataAccessReport(subject: "citizen-a") {
          subject totalCount
          reads { at reader clientName operationName requestId eventId records { id fields } }
        } }`,
      {},
      auditor,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['personalDataAccessReport']).toEqual({
      subject: 'citizen-a',
      totalCount: 1,
      reads: [
        {
          at: '2026-11-25T09:01:00.000Z',
          reader: 'staff-01',
          clientName: 'citizen-desk',
          operationName: 'OpenReports',
          requestId: 'q1',
          eventId: 'gateway-r:1',
          records: [
            { id: 'eng-cr-1', fields: ['CitizenReport.reporterEmail'] },
            { id: 'eng-cr-3', fields: ['CitizenReport.reporterEmail'] },
          ],
        },
      ],
    });
    const other = await executeAs(
      server,
      '{ personalDataAccessReport(subject: "citizen-b") { reads { requestId records { id } } } }',
      {},
      auditor,
    );
    expect(other.data?.['personalDataAccessReport']).toEqual({
      reads: [
        { requestId: 'q2', records: [{ id: 'eng-cr-2' }] },
        { requestId: 'q1', records: [{ id: 'eng-cr-2' }] },
      ],
    });
  });

  it('is for auditors only', async () => {
    const result = await executeAs(
      server,
      '{ personalDataAccessReport(subject: "citizen-a") { totalCount } }',
      {},
      staff,
    );
    expect(result.data?.['personalDataAccessReport']).toBeNull();
    expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
