/**
 * Signed checkpoints of the audit chains' heads: taken when the head moves,
 * and used by verification to detect a truncated tail, a chain deleted
 * whole, and a forged checkpoint, without any head saved by hand.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDb, type LocalDb } from '../../../../localdb/src/index.js';
import { createSilentLogger } from '../../../runtime/logger.js';
import {
  AUDIT_CHECKPOINTS_COLLECTION,
  AUDIT_EVENTS_COLLECTION,
  createAuditCheckpointer,
  createAuditTrail,
  formatAuditChainReports,
  verifyAuditChain,
} from '../../../records/audit/index.js';
import { sampleAuditEvent } from '../../../tooling/testing/sampleAuditEvent.js';

const logger = createSilentLogger();
const keys = generateKeyPairSync('ed25519');
let localdb: LocalDb;
let client: MongoClient;

beforeAll(async () => {
  localdb = await startLocalDb({ port: 0 });
  client = await MongoClient.connect(localdb.uri);
});
afterAll(async () => {
  await client?.close();
  await localdb?.stop();
});

/** A fresh governance database with `count` events in chain gateway-a, checkpointed. */
async function checkpointedChain(count: number): Promise<Db> {
  const db = client.db(`governance_${randomUUID().slice(0, 8)}`);
  const trail = createAuditTrail({ db, chainId: 'gateway-a', logger });
  const checkpointer = createAuditCheckpointer({
    db,
    chainId: 'gateway-a',
    signingKey: keys.privateKey,
    logger,
    intervalMs: 0,
  });
  for (let i = 1; i <= count; i += 1)
    await trail.record(sampleAuditEvent({ requestId: `req-${i}` }));
  await trail.close();
  await checkpointer.stop();
  return db;
}

describe('audit checkpoints', () => {
  it('are taken when the head moves, and only then', async () => {
    const db = client.db(`governance_${randomUUID().slice(0, 8)}`);
    const trail = createAuditTrail({ db, chainId: 'gateway-a', logger });
    const checkpointer = createAuditCheckpointer({
      db,
      chainId: 'gateway-a',
      signingKey: keys.privateKey,
      logger,
      intervalMs: 0,
    });
    expect(await checkpointer.checkpoint()).toBeNull();
    await trail.record(sampleAuditEvent({ requestId: 'req-1' }));
    expect(await checkpointer.checkpoint()).toMatchObject({
      chainId: 'gateway-a',
      seq: 1,
    });
    expect(await checkpointer.checkpoint()).toBeNull();
    await trail.close();
    await checkpointer.stop();
    expect(
      await db.collection(AUDIT_CHECKPOINTS_COLLECTION).countDocuments(),
    ).toBe(1);
  });

  it('let verification detect a truncated tail with no anchor given', async () => {
    const db = await checkpointedChain(6);
    await db
      .collection(AUDIT_EVENTS_COLLECTION)
      .deleteMany({ chainId: 'gateway-a', seq: { $gte: 5 } });
    // Without the checkpoints the shorter chain looks intact.
    expect((await verifyAuditChain(db))[0]).toMatchObject({ ok: true });
    const [report] = await verifyAuditChain(db, {
      checkpointKey: keys.publicKey,
    });
    expect(report).toMatchObject({
      ok: false,
      headSeq: 4,
      break: { seq: 6, reason: 'anchor' },
      checkpoint: { seq: 6 },
    });
    expect(formatAuditChainReports(report ? [report] : [])).toContain(
      'signed checkpoint of seq 6',
    );
  });

  it('report a chain deleted whole', async () => {
    const db = await checkpointedChain(3);
    await db.collection(AUDIT_EVENTS_COLLECTION).deleteMany({});
    expect(
      await verifyAuditChain(db, { checkpointKey: keys.publicKey }),
    ).toMatchObject([
      {
        chainId: 'gateway-a',
        ok: false,
        events: 0,
        break: { reason: 'anchor' },
      },
    ]);
  });

  it('report a checkpoint that does not verify (forged or edited)', async () => {
    const db = await checkpointedChain(3);
    // A forger moves the checkpoint back to hide a later truncation.
    await db
      .collection(AUDIT_CHECKPOINTS_COLLECTION)
      .updateOne({ chainId: 'gateway-a' }, { $set: { seq: 2 } });
    const [report] = await verifyAuditChain(db, {
      checkpointKey: keys.publicKey,
    });
    expect(report).toMatchObject({
      ok: false,
      break: { reason: 'checkpoint', seq: 2 },
    });
  });

  it('accept an intact chain against its checkpoint, with a key that signed it', async () => {
    const db = await checkpointedChain(4);
    expect(
      await verifyAuditChain(db, { checkpointKey: keys.publicKey }),
    ).toMatchObject([{ ok: true, headSeq: 4, checkpoint: { seq: 4 } }]);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(
      (await verifyAuditChain(db, { checkpointKey: other }))[0],
    ).toMatchObject({ ok: false, break: { reason: 'checkpoint' } });
  });
});
