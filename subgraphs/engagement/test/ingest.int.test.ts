import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestBatch } from '../../../lib/ingest/createIngestPipeline.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer, withPurpose } from '../../../lib/runtime/viewer.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createServer } from '../src/server.js';

/**
 * The Smart Data Models Open311_ServiceRequest example (keyValues, NGSI-LD),
 * moved to Marseille and to one of the city's service codes.
 */
function serviceRequest(
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'urn:ngsi-ld:Open311ServiceRequest:partner-638344',
    type: 'Open311ServiceRequest',
    service_request_id: 'partner-638344',
    address_string: '12 rue de la République',
    agency_responsible: 'Ville de Marseille',
    description: 'Feu tricolore éteint au carrefour depuis ce matin',
    location: { type: 'Point', coordinates: [5.3698, 43.2965] },
    requested_datetime: '2026-10-14T06:37:38+01:00',
    updated_datetime: '2026-10-14T06:37:38+01:00',
    service_code: 'feu-panne',
    service_name: 'Feu de circulation en panne',
    status: 'open',
    refAsset: 'urn:ngsi-ld:Device:mob-tl-13201-01',
    email: 'Resident@example.org',
    '@context': [
      'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
      'https://raw.githubusercontent.com/smart-data-models/dataModel.IssueTracking/master/context.jsonld',
    ],
    ...extra,
  };
}

describe('engagement ingestion of Open311 service requests', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  const events = createRecordingEventPublisher();
  const staff = withPurpose(
    createViewer('staff', ['engagement:staff', 'engagement:pii']),
    'report-follow-up',
  );

  const ingest = (
    entities: unknown[],
    overrides: Partial<IngestBatch> = {},
  ) => {
    const pipeline = server.ingest;
    if (!pipeline) throw new Error('engagement has no ingest pipeline');
    return pipeline.ingest({
      format: 'ngsi-ld',
      entities,
      source: { kind: 'partner', id: 'partner-311' },
      receivedAt: new Date(),
      ...overrides,
    });
  };
  const report = async () => {
    const result = await executeAs(
      server,
      '{ citizenReport(id: "partner-638344") { id ngsiId status statusNotes version requestedDatetime updatedDatetime district { code } trafficLight { id } address source { kind id } reporterEmail } }',
      {},
      staff,
    );
    expect(result.errors).toBeUndefined();
    return result.data?.['citizenReport'];
  };

  beforeAll(async () => {
    db = await startTestDatabase('engagement-ingest-test');
    server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events,
    });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  it('stores a historical service request with its own status and dates', async () => {
    const [outcome] = await ingest([serviceRequest()]);
    expect(outcome).toMatchObject({ status: 'created', flags: [] });
    expect(await report()).toEqual({
      id: 'partner-638344',
      ngsiId: 'urn:ngsi-ld:ServiceRequest:partner-638344',
      status: 'OPEN',
      statusNotes: null,
      version: 1,
      requestedDatetime: '2026-10-14T05:37:38.000Z',
      updatedDatetime: '2026-10-14T05:37:38.000Z',
      district: { code: '13201' },
      trafficLight: { id: 'mob-tl-13201-01' },
      address: '12 rue de la République',
      source: { kind: 'PARTNER', id: 'partner-311' },
      reporterEmail: 'resident@example.org',
    });
  });

  it('takes a later version (closed), and ignores the same or an older one', async () => {
    const closed = serviceRequest({
      status: 'closed',
      status_notes: 'Lampe remplacée.',
      updated_datetime: '2026-10-15T09:00:00Z',
    });
    expect(await report()).toMatchObject({ status: 'OPEN', version: 1 });
    expect((await ingest([closed]))[0]).toMatchObject({ status: 'created' });
    expect((await ingest([closed]))[0]).toMatchObject({ status: 'duplicate' });
    expect((await ingest([serviceRequest()]))[0]).toMatchObject({
      status: 'duplicate',
    });
    expect(await report()).toMatchObject({
      status: 'CLOSED',
      statusNotes: 'Lampe remplacée.',
      updatedDatetime: '2026-10-15T09:00:00.000Z',
      // The partner's later version is a change: one version up (docs/workflows.md).
      version: 2,
    });
    expect(
      events.published.filter((e) => e.entity.id === 'partner-638344'),
    ).toContainEqual(
      expect.objectContaining({
        type: 'citizenReport.updated',
        district: '13201',
        payload: { status: 'closed', serviceCode: 'feu-panne' },
      }),
    );
  });

  it('takes the NGSI-v2 normalized form and the former type name ServiceRequest', async () => {
    const [outcome] = await ingest(
      [
        {
          id: 'partner-700001',
          type: 'ServiceRequest',
          service_request_id: { type: 'Text', value: 'partner-700001' },
          service_code: { type: 'Text', value: 'voirie-chaussee' },
          description: {
            type: 'Text',
            value: 'Nid de poule dangereux devant le 4',
          },
          status: { type: 'Text', value: 'open' },
          requested_datetime: {
            type: 'DateTime',
            value: '2026-11-01T10:00:00Z',
          },
          location: {
            type: 'geo:json',
            value: { type: 'Point', coordinates: [5.3878, 43.3065] },
          },
        },
      ],
      { format: 'ngsi-v2' },
    );
    expect(outcome).toMatchObject({ status: 'created' });
  });

  it('rejects bad requests with a reason and keeps them for staff to replay', async () => {
    const outcomes = await ingest([
      serviceRequest({ service_request_id: 'bad-1', service_code: 'nope' }),
      serviceRequest({ service_request_id: 'bad-2', status: 'pending' }),
      serviceRequest({
        service_request_id: 'bad-3',
        location: { type: 'Point', coordinates: [5.57, 43.29] },
      }),
      serviceRequest({
        service_request_id: 'bad-4',
        updated_datetime: '2026-10-01T00:00:00Z',
      }),
      serviceRequest({
        service_request_id: 'bad-5',
        requested_datetime: new Date(Date.now() + 3_600_000).toISOString(),
        updated_datetime: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    ]);
    expect(
      outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status)),
    ).toEqual([
      'UNKNOWN_SERVICE_CODE',
      'ATTRIBUTE_TYPE',
      'OUTSIDE_CITY',
      'INVALID_TIME',
      'FUTURE_TIME',
    ]);
    const result = await executeAs(
      server,
      '{ engagementQuarantine(status: OPEN, first: 10) { totalCount nodes { id reason source { kind id } } } }',
      {},
      staff,
    );
    expect(result.errors).toBeUndefined();
    const list = result.data?.['engagementQuarantine'] as {
      totalCount: number;
      nodes: { id: string; reason: string }[];
    };
    expect(list.totalCount).toBe(5);
    const replay = await executeAs(
      server,
      'mutation($ids: [ID!]!) { replayEngagementQuarantine(ids: $ids) { outcome reason } }',
      { ids: [list.nodes[0]?.id] },
      staff,
    );
    expect(replay.errors).toBeUndefined();
    expect(replay.data?.['replayEngagementQuarantine']).toEqual([
      { outcome: 'REJECTED', reason: expect.any(String) },
    ]);
  });
});
