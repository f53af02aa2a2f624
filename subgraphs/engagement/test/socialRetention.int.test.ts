import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import {
  ensureTtlIndexes,
  ttlSecondsOfDays,
} from '../../../lib/subgraph-kit/retention.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createServer } from '../src/server.js';

const DAY = 86_400_000;

describe('engagement: retention of social posts', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    // localdb's TTL monitor every 20 ms.
    db = await startTestDatabase('engagement-social-retention-test', {
      ttlIntervalMs: 20,
    });
  });
  afterAll(async () => {
    await db.stop();
  });

  it('keeps 365 days without configuration', () => {
    const server = createServer({
      connection: db.connection,
      logger: createSilentLogger(),
      events: { async publish() {} },
    });
    expect(server.ttlIndexes).toEqual([
      {
        collection: 'social_posts',
        field: 'postedAt',
        expireAfterSeconds: ttlSecondsOfDays(365),
      },
    ]);
  });

  it('removes a post once it was posted more than the configured days ago', async () => {
    const server = createServer(
      {
        connection: db.connection,
        logger: createSilentLogger(),
        events: { async publish() {} },
      },
      { retention: { ingestStatsDays: 400, socialPostsDays: 7 } },
    );
    if (!db.connection.db) throw new Error('not connected');
    // What runSubgraph does at start.
    await ensureTtlIndexes(
      db.connection.db,
      server.ttlIndexes,
      createSilentLogger(),
    );
    const posts = db.connection.db.collection<{
      _id: string;
      postedAt: Date;
    }>('social_posts');
    await posts.insertMany([
      { _id: 'eng-sp-old', postedAt: new Date(Date.now() - 8 * DAY) },
      { _id: 'eng-sp-new', postedAt: new Date(Date.now() - 6 * DAY) },
    ]);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await posts.countDocuments()) > 1)
      await new Promise((r) => setTimeout(r, 20));
    expect(
      await posts
        .find({})
        .map((d) => d._id)
        .toArray(),
    ).toEqual(['eng-sp-new']);
  });
});
