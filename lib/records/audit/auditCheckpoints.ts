/**
 * Signed checkpoints of the audit chains' heads, so a truncated tail is
 * detected without anyone having saved a head by hand (issue 14, item 6).
 *
 * Each gateway replica periodically reads the head of its own chain (seq and
 * hash of the last stored event), signs `{ chainId, seq, hash, at }` with
 * its own Ed25519 key (the key that signs its gateway tokens), appends the
 * checkpoint to `audit_checkpoints` and logs it, so operators can also copy
 * it outside the database. `verifyAuditChain` checks each chain against its
 * latest checkpoint whose signature verifies: an event at or before the
 * checkpointed seq that is missing or different breaks the chain ('anchor'),
 * and a checkpoint whose signature does not verify is reported ('checkpoint').
 *
 * What it cannot catch: someone with write access who deletes the tail *and*
 * every checkpoint after it. Against that, the logged checkpoints (or the
 * heads printed by `npm run audit:verify`) must be kept elsewhere too
 * (docs/access-control.md, "Anchoring").
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Logger } from '../../runtime/logger.js';
import { AUDIT_EVENTS_COLLECTION } from './AuditEvent.js';
import type { AuditStore } from './createAuditTrail.js';
import { canonicalJson } from './hashAuditEvent.js';

/** The collection of the governance database that holds the checkpoints. */
export const AUDIT_CHECKPOINTS_COLLECTION = 'audit_checkpoints';

/** A signed head of one chain. */
export interface AuditCheckpoint {
  readonly chainId: string;
  /** seq of the chain's last event when the checkpoint was taken. */
  readonly seq: number;
  /** hash of that event. */
  readonly hash: string;
  /** When the checkpoint was taken. */
  readonly at: Date;
  /** Ed25519 signature (base64url) of `canonicalJson({ chainId, seq, hash, at })`. */
  readonly signature: string;
}

function signedBytes(checkpoint: Omit<AuditCheckpoint, 'signature'>): Buffer {
  return Buffer.from(
    canonicalJson({
      chainId: checkpoint.chainId,
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      at: checkpoint.at,
    }),
  );
}

/** Signs a head with the gateway's private key. */
export function signAuditCheckpoint(
  key: KeyObject,
  head: Omit<AuditCheckpoint, 'signature'>,
): AuditCheckpoint {
  return {
    ...head,
    signature: sign(null, signedBytes(head), key).toString('base64url'),
  };
}

/** Whether a stored checkpoint was signed by the key's private half and is unchanged. */
export function verifyAuditCheckpoint(
  key: KeyObject,
  checkpoint: Partial<AuditCheckpoint>,
): boolean {
  const { chainId, seq, hash, at, signature } = checkpoint;
  if (
    typeof chainId !== 'string' ||
    typeof seq !== 'number' ||
    typeof hash !== 'string' ||
    !(at instanceof Date) ||
    typeof signature !== 'string'
  )
    return false;
  try {
    return verify(
      null,
      signedBytes({ chainId, seq, hash, at }),
      key,
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}

function databaseOf(store: AuditStore): Db {
  if ('db' in store) return store.db;
  const db = store.connection.db;
  if (!db) throw new Error('the governance connection is not open');
  return db;
}

/** Options of {@link createAuditCheckpointer}. */
export type AuditCheckpointerOptions = AuditStore & {
  /** The chain of this gateway replica (`config.audit.chainId`). */
  readonly chainId: string;
  /** The gateway's own private key. */
  readonly signingKey: KeyObject;
  readonly logger: Logger;
  /**
   * How often the head is checkpointed (`AUDIT_CHECKPOINT_INTERVAL_MS`); 0
   * takes checkpoints only when asked (`checkpoint()`, and at `stop()`).
   * @default 300000
   */
  readonly intervalMs?: number;
};

/** Takes this replica's checkpoints. */
export interface AuditCheckpointer {
  /** Checkpoints the chain's head now, if it moved since the last one; resolves to it, or null. */
  checkpoint(): Promise<AuditCheckpoint | null>;
  /** Stops the timer after a last checkpoint. */
  stop(): Promise<void>;
}

/** Starts checkpointing one chain's head (the gateway does, for its own chain). */
export function createAuditCheckpointer(
  options: AuditCheckpointerOptions,
): AuditCheckpointer {
  const { chainId, logger } = options;
  const db = () => databaseOf(options);
  const checkpoints = (): Collection =>
    db().collection(AUDIT_CHECKPOINTS_COLLECTION);
  let lastSeq: number | null = null;
  let running: Promise<AuditCheckpoint | null> | null = null;

  const take = async (): Promise<AuditCheckpoint | null> => {
    if (lastSeq === null) {
      const last = await checkpoints().findOne(
        { chainId },
        { sort: { seq: -1 }, projection: { _id: 0, seq: 1 } },
      );
      lastSeq = typeof last?.['seq'] === 'number' ? last['seq'] : 0;
    }
    const head = await db()
      .collection(AUDIT_EVENTS_COLLECTION)
      .findOne(
        { chainId },
        { sort: { seq: -1 }, projection: { _id: 0, seq: 1, hash: 1 } },
      );
    const seq = head?.['seq'];
    const hash = head?.['hash'];
    if (typeof seq !== 'number' || typeof hash !== 'string' || seq <= lastSeq)
      return null;
    const checkpoint = signAuditCheckpoint(options.signingKey, {
      chainId,
      seq,
      hash,
      at: new Date(),
    });
    await checkpoints().insertOne({ ...checkpoint });
    lastSeq = seq;
    // Printed for anchoring outside the database (audit:verify --anchor takes it).
    logger.info(
      { chainId, seq, hash, anchor: `${chainId}:${seq}:${hash}` },
      'audit checkpoint',
    );
    return checkpoint;
  };

  const checkpoint = (): Promise<AuditCheckpoint | null> => {
    running ??= take()
      .catch((error: unknown) => {
        logger.warn(
          {
            chainId,
            err: error instanceof Error ? error.message : String(error),
          },
          'audit checkpoint not taken; retrying at the next interval',
        );
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const intervalMs = options.intervalMs ?? 300_000;
  const timer =
    intervalMs > 0 ? setInterval(() => void checkpoint(), intervalMs) : null;
  timer?.unref();
  return {
    checkpoint,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
      await checkpoint();
    },
  };
}

/** The latest checkpoint per chain whose signature verifies, and the ones that do not. */
export async function readAuditCheckpoints(
  db: Db,
  key: KeyObject,
): Promise<{
  latest: Map<string, AuditCheckpoint>;
  forged: { chainId: string; seq: number }[];
}> {
  const latest = new Map<string, AuditCheckpoint>();
  const forged: { chainId: string; seq: number }[] = [];
  const cursor = db
    .collection(AUDIT_CHECKPOINTS_COLLECTION)
    .find({}, { projection: { _id: 0 } })
    .sort({ chainId: 1, seq: 1 });
  for await (const doc of cursor) {
    const checkpoint = doc as Partial<AuditCheckpoint>;
    if (!verifyAuditCheckpoint(key, checkpoint)) {
      forged.push({
        chainId: String(checkpoint.chainId),
        seq: Number(checkpoint.seq),
      });
      continue;
    }
    latest.set(checkpoint.chainId as string, checkpoint as AuditCheckpoint);
  }
  return { latest, forged };
}
