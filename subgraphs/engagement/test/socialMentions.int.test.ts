import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createModels, type EngagementModels } from '../src/models/index.js';
import type { CitizenReportDoc, SocialPostDoc } from '../src/models/index.js';
import { generateEngagementSeed } from '../src/seed.js';
import { createServer } from '../src/server.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-20T12:00:00Z');
const hoursFromNow = (h: number) => new Date(NOW.getTime() + h * HOUR);
// The light at a crossing of the 1er, and a point about 1.1 km from it.
const LIGHT = { lat: 43.2965, lon: 5.3698 };
const FAR = { lat: 43.3065, lon: 5.3698 };

let posts = 0;
/** A stored post (the shape the pipeline stores, social/classifyPost.ts having classified it). */
function socialPost(
  postedAt: Date,
  overrides: Partial<SocialPostDoc> = {},
): SocialPostDoc {
  posts += 1;
  const hour = new Date(Math.floor(postedAt.getTime() / HOUR) * HOUR);
  return {
    _id: `eng-sp-test-${posts}`,
    author: 'a',
    instance: 'piaille.fr',
    language: 'fr',
    text: 'Le feu est en panne',
    spoilerText: null,
    tags: [],
    postedAt,
    editedAt: null,
    hour,
    day: hour,
    week: hour,
    topics: ['feu-panne'],
    matchedTerms: ['feu', 'panne'],
    district: '13201',
    districtMethod: 'quartier',
    location: null,
    source: { kind: 'partner', id: 'partner-social' },
    receivedAt: postedAt,
    quality: { flags: [], score: 1 },
    ...overrides,
  };
}

describe('CitizenReport.socialMentions', () => {
  let db: TestDatabase;
  let models: EngagementModels;
  let server: ReturnType<typeof createServer>;
  const template = generateEngagementSeed().reports[0];
  const report = (
    id: string,
    overrides: Partial<CitizenReportDoc>,
  ): CitizenReportDoc => {
    if (!template) throw new Error('the seed has reports');
    return {
      ...template,
      _id: id,
      serviceCode: 'feu-panne',
      serviceName: 'Feu tricolore en panne',
      district: '13201',
      location: LIGHT,
      trafficLightId: 'mob-tl-13201-01',
      waterMeterId: null,
      status: 'open',
      requestedDatetime: hoursFromNow(-6),
      updatedDatetime: hoursFromNow(-6),
      ...overrides,
    };
  };

  beforeAll(async () => {
    db = await startTestDatabase('engagement-social-mentions-test');
    models = createModels(db.connection);
    server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events: { async publish() {} },
      now: () => NOW,
    });
    await server.apollo.start();
    await models.CitizenReport.insertMany([
      // Open since 6 hours: its window runs from 2 days before it to 2 days after now.
      report('eng-cr-test-open', {}),
      // Closed 10 days ago: a post of today is not about it.
      report('eng-cr-test-closed', {
        status: 'closed',
        requestedDatetime: hoursFromNow(-12 * 24),
        updatedDatetime: hoursFromNow(-10 * 24),
      }),
      // Another service type, same place and time.
      report('eng-cr-test-water', {
        serviceCode: 'eau-fuite',
        serviceName: 'Fuite d’eau',
        trafficLightId: null,
        waterMeterId: 'env-wm-13201-2',
      }),
    ]);
    await models.SocialPost.insertMany([
      socialPost(hoursFromNow(-30)), // before the report, within 2 days
      socialPost(hoursFromNow(-1), { location: LIGHT }), // geotagged at the light
      socialPost(hoursFromNow(-2), { location: FAR }), // geotagged elsewhere: not it
      socialPost(hoursFromNow(-3), { district: '13202' }), // another district
      socialPost(hoursFromNow(-4), { topics: ['voirie-chaussee'] }), // another topic
      socialPost(hoursFromNow(-60)), // more than 2 days before it
      socialPost(hoursFromNow(-11 * 24)), // while the closed one was open
    ]);
  });
  afterAll(async () => {
    await server.apollo.stop();
    await db.stop();
  });

  const mentionsOf = async (id: string) => {
    const result = await executeAs(
      server,
      /* GraphQL */ `
        query ($id: ID!) {
          citizenReport(id: $id) {
            socialMentions {
              posts
              nearby
              firstPostedAt
              lastPostedAt
            }
          }
        }
      `,
      { id },
    );
    expect(result.errors).toBeUndefined();
    return (result.data?.['citizenReport'] as { socialMentions: unknown })
      .socialMentions;
  };

  it('counts the posts of its service type and district around its life, a geotagged one only near it', async () => {
    expect(await mentionsOf('eng-cr-test-open')).toEqual({
      posts: 2,
      nearby: 1,
      firstPostedAt: hoursFromNow(-30).toISOString(),
      lastPostedAt: hoursFromNow(-1).toISOString(),
    });
  });

  it('counts for a closed report only the posts until 2 days after it was closed', async () => {
    expect(await mentionsOf('eng-cr-test-closed')).toEqual({
      posts: 1,
      nearby: 0,
      firstPostedAt: hoursFromNow(-11 * 24).toISOString(),
      lastPostedAt: hoursFromNow(-11 * 24).toISOString(),
    });
  });

  it('answers zero posts for a report nobody posted about', async () => {
    expect(await mentionsOf('eng-cr-test-water')).toEqual({
      posts: 0,
      nearby: 0,
      firstPostedAt: null,
      lastPostedAt: null,
    });
  });

  it('reads the posts of a page of reports in one query', async () => {
    db.resetCommands();
    const result = await executeAs(
      server,
      /* GraphQL */ `
        {
          citizenReports(first: 10, district: "13201") {
            nodes {
              id
              socialMentions {
                posts
              }
            }
          }
        }
      `,
    );
    expect(result.errors).toBeUndefined();
    expect(db.commands().filter((c) => c === 'find social_posts')).toHaveLength(
      1,
    );
  });

  it('answers the mentions of the reports on a traffic light (the same asset)', async () => {
    const result = await executeAs(
      server,
      /* GraphQL */ `
        {
          _entities(
            representations: [
              { __typename: "TrafficLight", id: "mob-tl-13201-01" }
            ]
          ) {
            ... on TrafficLight {
              reports(first: 5) {
                nodes {
                  id
                  socialMentions {
                    posts
                    nearby
                  }
                }
              }
            }
          }
        }
      `,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      _entities: [
        {
          reports: {
            nodes: [
              {
                id: 'eng-cr-test-open',
                socialMentions: { posts: 2, nearby: 1 },
              },
              {
                id: 'eng-cr-test-closed',
                socialMentions: { posts: 1, nearby: 0 },
              },
            ],
          },
        },
      ],
    });
  });
});
