import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDb, type LocalDb } from '../../../../localdb/src/index.js';
import { createSilentLogger } from '../../../runtime/logger.js';
import {
  AUDIT_EVENTS_COLLECTION,
  GENESIS_HASH,
  createAuditTrail,
  hashAuditEvent,
  verifyAuditChain,
  type AuditTrail,
} from '../../../records/audit/index.js';
import { sampleAuditEvent } from '../../../tooling/testing/sampleAuditEvent.js';

const logger = createSilentLogger();
let localdb: LocalDb;
let client: MongoClient;

beforeAll(async () => {
  localdb = await startLocalDb({ port: 0 });
  client = await MongoClient.connect(localdb.uri, {
    serverSelectionTimeoutMS: 2000,
  });
});

afterAll(async () => {
  await client?.close();
  await localdb?.stop();
});

function freshDb(): Db {
  return client.db(`governance_${randomUUID().slice(0, 8)}`);
}

/** Writes `count` events to `chainId` of a fresh database; returns the database. */
async function writeChain(count: number, chainId = 'gateway-a'): Promise<Db> {
  const db = freshDb();
  const trail = createAuditTrail({ db, chainId, logger });
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      trail.record(sampleAuditEvent({ requestId: `req-${i + 1}` })),
    ),
  );
  await trail.close();
  return db;
}

describe('createAuditTrail', () => {
  it('keeps a valid chain under 500 concurrent record() calls, in arrival order', async () => {
    const db = freshDb();
    const trail = createAuditTrail({ db, chainId: 'gateway-a', logger });
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        trail.record(sampleAuditEvent({ requestId: `req-${i + 1}` })),
      ),
    );
    const stored = await db
      .collection(AUDIT_EVENTS_COLLECTION)
      .find()
      .sort({ seq: 1 })
      .toArray();
    expect(stored.map((doc) => doc['seq'])).toEqual(
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
    expect(stored.map((doc) => doc['requestId'])).toEqual(
      Array.from({ length: 500 }, (_, i) => `req-${i + 1}`),
    );
    expect(stored[0]?.['prevHash']).toBe(GENESIS_HASH);
    const [report] = await verifyAuditChain(db);
    expect(report).toMatchObject({
      chainId: 'gateway-a',
      ok: true,
      events: 500,
      headSeq: 500,
      break: null,
    });
    expect(report?.headHash).toBe(stored[499]?.['hash']);
    await trail.close();
  });

  it('resolves record() only once the event is stored', async () => {
    const db = freshDb();
    const trail = createAuditTrail({ db, chainId: 'gateway-a', logger });
    await trail.record(
      sampleAuditEvent({ requestId: 'stored-before-resolve' }),
    );
    const doc = await db
      .collection(AUDIT_EVENTS_COLLECTION)
      .findOne({ requestId: 'stored-before-resolve' });
    expect(doc).toMatchObject({
      chainId: 'gateway-a',
      seq: 1,
      subject: 'auditor-01',
      outcome: 'partial',
    });
    expect(hashAuditEvent(doc ?? {})).toBe(doc?.['hash']);
    await trail.close();
  });

  it('continues an existing chain after a restart', async () => {
    const db = await writeChain(3);
    const trail = createAuditTrail({ db, chainId: 'gateway-a', logger });
    await trail.record(sampleAuditEvent({ requestId: 'after-restart' }));
    const [report] = await verifyAuditChain(db);
    expect(report).toMatchObject({ ok: true, events: 4, headSeq: 4 });
    await trail.close();
  });

  it('keeps one chain per chainId apart', async () => {
    const db = freshDb();
    const a = createAuditTrail({ db, chainId: 'gateway-a', logger });
    const b = createAuditTrail({ db, chainId: 'gateway-b', logger });
    await Promise.all([
      a.record(sampleAuditEvent()),
      b.record(sampleAuditEvent()),
      a.record(sampleAuditEvent()),
    ]);
    const reports = await verifyAuditChain(db);
    expect(reports.map((r) => [r.chainId, r.ok, r.events])).toEqual([
      ['gateway-a', true, 2],
      ['gateway-b', true, 1],
    ]);
  });

  it('does not fork a chain when two writers append to it at once', async () => {
    const db = freshDb();
    const first = createAuditTrail({ db, chainId: 'shared', logger });
    const second = createAuditTrail({ db, chainId: 'shared', logger });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? first : second).record(
          sampleAuditEvent({ requestId: `req-${i}` }),
        ),
      ),
    );
    const [report] = await verifyAuditChain(db);
    expect(report).toMatchObject({ ok: true, events: 100, headSeq: 100 });
    const requestIds = await db
      .collection(AUDIT_EVENTS_COLLECTION)
      .distinct('requestId');
    expect(requestIds).toHaveLength(100);
  });

  it('answers ping() while the store is up', async () => {
    const trail = createAuditTrail({
      db: freshDb(),
      chainId: 'gateway-a',
      logger,
    });
    await expect(trail.ping()).resolves.toBe(true);
  });
});

describe('verifyAuditChain', () => {
  it('reports an edited field and names its seq', async () => {
    const db = await writeChain(10);
    await db
      .collection(AUDIT_EVENTS_COLLECTION)
      .updateOne(
        { chainId: 'gateway-a', seq: 4 },
        { $set: { subject: 'someone-else' } },
      );
    const [report] = await verifyAuditChain(db);
    expect(report).toMatchObject({
      chainId: 'gateway-a',
      ok: false,
      break: { seq: 4, reason: 'edited' },
    });
  });

  it('reports an event rewritten with a recomputed hash at that event', async () => {
    const db = await writeChain(10);
    const events = db.collection(AUDIT_EVENTS_COLLECTION);
    const doc = await events.findOne({ chainId: 'gateway-a', seq: 6 });
    if (!doc) throw new Error('seq 6 not stored');
    const forged = { ...doc, outcome: 'success', fields: [] };
    await events.updateOne(
      { _id: doc._id },
      {
        $set: { outcome: 'success', fields: [], hash: hashAuditEvent(forged) },
      },
    );
    const [report] = await verifyAuditChain(db);
    expect(report).toMatchObject({
      ok: false,
      break: { seq: 6, reason: 'edited' },
    });
  });

  it('reports a deleted event and names the missing seq', async () => {
    const db = await writeChain(10);
    await db
      .collection(AUDIT_EVENTS_COLLECTION)
      .deleteOne({ chainId: 'gateway-a', seq: 7 });
    const [report] = await verifyAuditChain(db);
    expect(report).toMatchObject({
      ok: false,
      break: { seq: 7, reason: 'deleted' },
    });
  });

  it('reports a deletion hidden by renumbering the later events', async () => {
    const db = await writeChain(6);
    const events = db.collection(AUDIT_EVENTS_COLLECTION);
    await events.deleteOne({ chainId: 'gateway-a', seq: 3 });
    for (const seq of [4, 5, 6])
      await events.updateOne(
        { chainId: 'gateway-a', seq },
        { $set: { seq: seq - 1 } },
      );
    const [report] = await verifyAuditChain(db);
    expect(report).toMatchObject({
      ok: false,
      break: { seq: 3, reason: 'deleted' },
    });
  });

  it('reports two swapped events as reordered and names the first', async () => {
    const db = await writeChain(10);
    const events = db.collection(AUDIT_EVENTS_COLLECTION);
    await events.updateOne(
      { chainId: 'gateway-a', seq: 5 },
      { $set: { seq: -5 } },
    );
    await events.updateOne(
      { chainId: 'gateway-a', seq: 6 },
      { $set: { seq: 5 } },
    );
    await events.updateOne(
      { chainId: 'gateway-a', seq: -5 },
      { $set: { seq: 6 } },
    );
    const [report] = await verifyAuditChain(db);
    expect(report).toMatchObject({
      ok: false,
      break: { seq: 5, reason: 'reordered' },
    });
  });

  it('reports a truncated tail only against an anchored head', async () => {
    const db = await writeChain(8);
    const [before] = await verifyAuditChain(db);
    const anchor = { seq: before?.headSeq ?? 0, hash: before?.headHash ?? '' };
    await db
      .collection(AUDIT_EVENTS_COLLECTION)
      .deleteMany({ chainId: 'gateway-a', seq: { $gte: 7 } });
    const [unanchored] = await verifyAuditChain(db);
    expect(unanchored).toMatchObject({ ok: true, headSeq: 6 });
    const [anchored] = await verifyAuditChain(db, {
      anchors: { 'gateway-a': anchor },
    });
    expect(anchored).toMatchObject({
      ok: false,
      break: { seq: 8, reason: 'anchor' },
    });
  });

  it('verifies only the chain asked for', async () => {
    const db = await writeChain(2, 'gateway-x');
    expect(await verifyAuditChain(db, { chainId: 'gateway-x' })).toHaveLength(
      1,
    );
    expect(await verifyAuditChain(db, { chainId: 'absent' })).toMatchObject([
      { ok: true, events: 0, headSeq: 0 },
    ]);
  });
});

describe('createAuditTrail with the store down', () => {
  let trail: AuditTrail;
  let stopped: LocalDb;
  let downClient: MongoClient;

  beforeAll(async () => {
    stopped = await startLocalDb({ port: 0 });
    downClient = await MongoClient.connect(stopped.uri, {
      serverSelectionTimeoutMS: 500,
    });
    trail = createAuditTrail({
      db: downClient.db('governance'),
      chainId: 'gateway-a',
      logger,
      writeTimeoutMs: 1000,
    });
    await trail.record(sampleAuditEvent());
    await stopped.stop();
  });

  afterAll(async () => {
    await downClient?.close();
  });

  it('rejects record() within the write timeout', async () => {
    const started = Date.now();
    await expect(trail.record(sampleAuditEvent())).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers ping() with false', async () => {
    await expect(trail.ping()).resolves.toBe(false);
  });

  it('refuses at once right after a failed write, without waiting for another timeout', async () => {
    await expect(trail.record(sampleAuditEvent())).rejects.toThrow();
    await expect(trail.record(sampleAuditEvent())).rejects.toThrow(
      /audit store unavailable: the last write failed/,
    );
  });
});

describe('createAuditTrail when the store comes back', () => {
  it('writes again once the store answers, after the retry delay', async () => {
    const first = await startLocalDb({ port: 0 });
    const port = first.port;
    const client = await MongoClient.connect(first.uri, {
      serverSelectionTimeoutMS: 500,
    });
    const trail = createAuditTrail({
      db: client.db('governance'),
      chainId: 'gateway-r',
      logger,
      writeTimeoutMs: 800,
      retryAfterFailureMs: 200,
    });
    await trail.record(sampleAuditEvent());
    await first.stop();
    await expect(trail.record(sampleAuditEvent())).rejects.toThrow();
    const second = await startLocalDb({ port });
    try {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await trail.record(sampleAuditEvent());
      const stored = await client
        .db('governance')
        .collection('audit_events')
        .countDocuments({ chainId: 'gateway-r' });
      // An in-memory localdb restarted empty: only the event written after it came back is there.
      expect(stored).toBe(1);
    } finally {
      await client.close();
      await second.stop();
    }
  });
});
