import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import {
  ensureTtlIndexes,
  ingestStatsTtl,
} from '../../subgraph-kit/retention.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../tooling/testing/testDatabase.js';

const DAY = 86_400_000;

describe('loadConfig: retention', () => {
  it('keeps ingestion counts 400 days and social posts 365 days by default', () => {
    expect(loadConfig({}).retention).toEqual({
      ingestStatsDays: 400,
      socialPostsDays: 365,
    });
  });

  it('reads INGEST_STATS_RETENTION_DAYS and SOCIAL_POSTS_RETENTION_DAYS, and names a bad one', () => {
    expect(
      loadConfig({
        INGEST_STATS_RETENTION_DAYS: '30',
        SOCIAL_POSTS_RETENTION_DAYS: '90',
      }).retention,
    ).toEqual({ ingestStatsDays: 30, socialPostsDays: 90 });
    expect(() => loadConfig({ SOCIAL_POSTS_RETENTION_DAYS: '0' })).toThrow(
      /SOCIAL_POSTS_RETENTION_DAYS must be an integer from 1 to 36500/,
    );
  });
});

describe('ensureTtlIndexes', () => {
  let db: TestDatabase;
  const lines: string[] = [];
  const logger = createLogger({
    service: 'ttl-test',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const raw = () => {
    if (!db.connection.db) throw new Error('not connected');
    return db.connection.db;
  };
  const ttlOf = async (collection: string, field: string) =>
    (await raw().collection(collection).listIndexes().toArray()).find(
      (index) => Object.keys(index['key'] as object).join() === field,
    )?.['expireAfterSeconds'] as number | undefined;

  beforeAll(async () => {
    // localdb's TTL monitor every 20 ms.
    db = await startTestDatabase('ttl-test', { ttlIntervalMs: 20 });
  });
  afterAll(async () => {
    await db.stop();
  });

  it('creates the index (and the collection) when missing', async () => {
    await ensureTtlIndexes(raw(), [ingestStatsTtl(400)], logger);
    expect(await ttlOf('ingest_stats', 'hour')).toBe(400 * 86_400);
  });

  it('sets a changed period, and says so', async () => {
    await ensureTtlIndexes(raw(), [ingestStatsTtl(30)], logger);
    expect(await ttlOf('ingest_stats', 'hour')).toBe(30 * 86_400);
    expect(lines.join('\n')).toMatch(/ingest_stats: kept 30 days/);
  });

  it('makes a plain index on the field (a deployment from before) a TTL one', async () => {
    await raw().collection('old_stats').createIndex({ hour: 1 });
    await ensureTtlIndexes(
      raw(),
      [{ collection: 'old_stats', field: 'hour', expireAfterSeconds: 60 }],
      logger,
    );
    expect(await ttlOf('old_stats', 'hour')).toBe(60);
  });

  it('removes the hours older than the period and keeps the others', async () => {
    const stats = raw().collection<{ _id: string; hour: Date }>('ingest_stats');
    await stats.insertMany([
      { _id: 'old', hour: new Date(Date.now() - 31 * DAY) },
      { _id: 'recent', hour: new Date(Date.now() - 29 * DAY) },
    ]);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await stats.countDocuments()) > 1)
      await new Promise((r) => setTimeout(r, 20));
    expect(
      await stats
        .find({})
        .map((d) => d._id)
        .toArray(),
    ).toEqual(['recent']);
  });
});
