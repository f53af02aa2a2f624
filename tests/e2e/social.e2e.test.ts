/**
 * End-to-end social media: a partner's webhook pushes Mastodon statuses to
 * the gateway's social route, which pseudonymizes them and hands them to
 * engagement through the ingest dispatcher; the graph answers the topics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mastodonStatus } from '../../lib/tooling/testing/mastodonStatus.js';
import { startCityGraph, type CityGraph } from './cityGraph.js';

let graph: CityGraph;
let base: string;

beforeAll(async () => {
  graph = await startCityGraph({ seed: false });
  base = graph.gatewayUrl.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await graph?.stop();
});

async function post(path: string, body: unknown, token: string) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('social posts through the gateway', () => {
  const postedAt = new Date(Date.now() - 10 * 60_000);
  const status = mastodonStatus({ created_at: postedAt.toISOString() });

  it('stores a webhook event once and answers it in socialTopics', async () => {
    const token = await graph.token('partner-social', ['engagement:ingest']);
    const event = { event: 'status.created', object: status };
    const first = await post('/social/v1/statuses', event, token);
    expect(first).toMatchObject({
      status: 200,
      body: { stored: 1, results: [{ status: 'stored' }] },
    });
    const again = await post('/social/v1/statuses', [event], token);
    expect(again).toMatchObject({
      status: 200,
      body: { duplicates: 1, results: [{ status: 'duplicate' }] },
    });
    const day = new Date(
      Math.floor(postedAt.getTime() / 86_400_000) * 86_400_000,
    );
    const result = await graph.query(
      `query ($range: TimeRangeInput!) { socialTopics(range: $range) { periodStart district { code } serviceType { serviceCode } posts } }`,
      {
        range: {
          from: day.toISOString(),
          to: new Date(day.getTime() + 86_400_000).toISOString(),
        },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['socialTopics']).toEqual([
      {
        periodStart: day.toISOString(),
        district: { code: '13201' },
        serviceType: { serviceCode: 'feu-panne' },
        posts: 1,
      },
    ]);
  });

  it('refuses a caller without the engagement ingest scope per item, and posts over NGSI', async () => {
    const token = await graph.token('partner-traffic', ['mobility:ingest']);
    const refused = await post('/social/v1/statuses', status, token);
    expect(refused).toMatchObject({
      status: 207,
      body: { results: [{ status: 'rejected', reason: 'FORBIDDEN' }] },
    });
    const social = await graph.token('partner-social', ['engagement:ingest']);
    const response = await fetch(`${base}/ngsi-ld/v1/entityOperations/upsert`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${social}`,
      },
      body: JSON.stringify([
        {
          id: 'urn:ngsi-ld:SocialMediaPost:eng-sp-00000000000000000000000000000000',
          type: 'SocialMediaPost',
          text: 'Le feu est en panne',
          createdAt: postedAt.toISOString(),
        },
      ]),
    });
    expect(response.status).toBe(207);
    expect(JSON.stringify(await response.json())).toContain('UNKNOWN_TYPE');
  });
});
