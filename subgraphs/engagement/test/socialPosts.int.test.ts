import { createServer as createHttpServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSocialRoutes,
  MAX_SOCIAL_ITEMS,
  SOCIAL_STATUSES_PATH,
} from '../../../gateway/src/socialRoutes.js';
import type {
  EntityResult,
  IngestDispatcher,
} from '../../../gateway/src/ingestDispatcher.js';
import { rejectionProblem } from '../../../lib/ingest/ngsiProblems.js';
import type { Config } from '../../../lib/runtime/config.js';
import { UnauthenticatedError } from '../../../lib/runtime/errors.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { createViewer } from '../../../lib/runtime/viewer.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import { mastodonStatus } from '../../../lib/tooling/testing/mastodonStatus.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createModels, type EngagementModels } from '../src/models/index.js';
import { generateEngagementSeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const KEY = 'test-social-author-key-0123456789abcdef';
const HOUR = 3_600_000;
// Posts of yesterday (UTC), a quarter of an hour apart: never in the future.
const DAY = new Date((Math.floor(Date.now() / (24 * HOUR)) - 1) * 24 * HOUR);
const at = (quarters: number) =>
  new Date(DAY.getTime() + (quarters * HOUR) / 4);

describe('social posts through the webhook into engagement', () => {
  let db: TestDatabase;
  let models: EngagementModels;
  let server: ReturnType<typeof createServer>;
  let http: Server;
  let base: string;

  // The gateway's dispatcher, but handing the entities straight to
  // engagement's pipeline (the internal HTTP hop is the NGSI tests' subject).
  const dispatcher: IngestDispatcher = {
    async dispatch(batch) {
      if (!server.ingest) throw new Error('engagement has an ingest pipeline');
      const outcomes = await server.ingest.ingest({
        format: batch.format,
        entities: batch.entities,
        source: batch.source,
        receivedAt: new Date(),
      });
      return outcomes.map((o): EntityResult =>
        o.status === 'created' || o.status === 'duplicate'
          ? { ok: true, entityId: o.entityId, created: o.status === 'created' }
          : o.status === 'rejected'
            ? {
                ok: false,
                entityId: o.entityId,
                problem: rejectionProblem(o.reason, o.detail),
              }
            : {
                ok: false,
                entityId: o.entityId,
                problem: {
                  type: 'InternalError',
                  title: 'Not stored',
                  detail: 'detail' in o ? o.detail : '',
                },
              },
      );
    },
    async recordRefusal() {},
  };

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${SOCIAL_STATUSES_PATH}`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer partner',
        'content-type': 'application/json',
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    db = await startTestDatabase('engagement-social-test');
    models = createModels(db.connection);
    server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events: { async publish() {} },
    });
    await server.apollo.start();
    const route = createSocialRoutes({
      config: { social: { authorKey: KEY } } as unknown as Config,
      logger: createSilentLogger(),
      dispatcher,
      authenticate: async (header) => {
        if (header !== 'Bearer partner')
          throw new UnauthenticatedError('Invalid token.');
        return createViewer('partner-social', ['engagement:ingest']);
      },
    });
    http = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      void route.handle(req, res, {
        url,
        requestId: 'test',
        clientRequestId: null,
      });
    });
    await new Promise<void>((resolve) => http.listen(0, resolve));
    const address = http.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => http.close(resolve));
    await server.apollo.stop();
    await db.stop();
  });

  it('keeps public posts once, pseudonymized, and answers each item', async () => {
    const pothole = mastodonStatus({
      id: '113456789012399999',
      uri: 'https://piaille.fr/users/carole/statuses/113456789012399999',
      url: 'https://piaille.fr/@carole/113456789012399999',
      created_at: at(2).toISOString(),
      content:
        '<p>Énorme <strong>nid-de-poule</strong> boulevard Michelet, 13008. Attention les vélos !</p>',
      account: {
        id: '77',
        username: 'carole',
        acct: 'carole',
        url: 'https://piaille.fr/@carole',
      },
    });
    const light = mastodonStatus({ created_at: at(1).toISOString() });
    const response = await post([
      light,
      { event: 'status.created', created_at: at(2), object: pothole },
      mastodonStatus({
        id: '3',
        uri: 'https://x.example/3',
        visibility: 'private',
      }),
      mastodonStatus({
        id: '4',
        uri: 'https://x.example/4',
        content: '<p> </p>',
      }),
      'not a status',
      light,
    ]);
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      results: { status: string; reason?: string; postId: string | null }[];
    };
    expect(body.results.map((r) => r.reason ?? r.status)).toEqual([
      'stored',
      'stored',
      'NOT_PUBLIC',
      'NO_CONTENT',
      'MALFORMED_ENTITY',
      'duplicate',
    ]);
    expect(body.results[5]?.postId).toBe(body.results[0]?.postId);

    const stored = await models.SocialPost.find({})
      .sort({ postedAt: 1 })
      .lean();
    expect(stored.map((p) => [p.district, p.districtMethod, p.topics])).toEqual(
      [
        ['13201', 'quartier', ['feu-panne']],
        ['13208', 'postal-code', ['voirie-chaussee']],
      ],
    );
    // Nothing of the authors, their accounts or the private post is kept anywhere.
    const everything = JSON.stringify([
      stored,
      await models.QuarantinedRecord.find({}).lean(),
    ]);
    for (const secret of [
      'alice',
      'carole',
      'bob',
      '109876543210',
      'x.example/3',
    ])
      expect(everything).not.toContain(secret);
    // The post without text is kept in the quarantine (replayable), the private one is not.
    const quarantined = await models.QuarantinedRecord.find({}).lean();
    expect(quarantined.map((q) => q.reason)).toEqual(['NO_CONTENT']);
  });

  it('answers what citizens talk about per district and topic, beside the reports', async () => {
    const [report] = generateEngagementSeed().reports;
    if (!report) throw new Error('the seed has reports');
    await models.CitizenReport.collection.insertOne({
      ...report,
      _id: 'eng-cr-social-1',
      serviceCode: 'feu-panne',
      district: '13201',
      requestedDatetime: at(3),
      updatedDatetime: at(3),
    } as never);
    const result = await executeAs(
      server,
      /* GraphQL */ `
        query ($range: TimeRangeInput!) {
          socialTopics(range: $range, period: DAY) {
            periodStart
            district {
              code
            }
            serviceType {
              serviceCode
            }
            posts
            citizenReportCount
            citizenReports {
              id
            }
          }
        }
      `,
      {
        range: {
          from: DAY.toISOString(),
          to: new Date(DAY.getTime() + 24 * HOUR).toISOString(),
        },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['socialTopics']).toEqual([
      {
        periodStart: DAY.toISOString(),
        district: { code: '13201' },
        serviceType: { serviceCode: 'feu-panne' },
        posts: 1,
        citizenReportCount: 1,
        citizenReports: [{ id: 'eng-cr-social-1' }],
      },
      {
        periodStart: DAY.toISOString(),
        district: { code: '13208' },
        serviceType: { serviceCode: 'voirie-chaussee' },
        posts: 1,
        citizenReportCount: 0,
        citizenReports: [],
      },
    ]);
  });

  it('refuses whole requests it cannot read, with a clear status', async () => {
    const cases: [Promise<Response>, number, string][] = [
      [post('{"id": '), 400, 'ParseError'],
      [post([]), 400, 'BadRequest'],
      [
        post(mastodonStatus(), { 'content-type': 'text/plain' }),
        415,
        'UnsupportedMediaType',
      ],
      [
        post(mastodonStatus(), { authorization: 'Bearer forged' }),
        401,
        'Unauthorized',
      ],
      [
        post(Array.from({ length: MAX_SOCIAL_ITEMS + 1 }, () => ({}))),
        413,
        'RequestEntityTooLarge',
      ],
    ];
    for (const [pending, status, error] of cases) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toBe(error);
    }
  });
});
