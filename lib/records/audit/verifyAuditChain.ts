/**
 * Verification of the audit trail: walks every chain in `seq` order and
 * reports, per chain, whether it is intact or the first place it breaks and
 * why. Streams the events (constant memory); the database is queried again
 * only at a break, to tell a reordering from a deletion.
 */
import type { KeyObject } from 'node:crypto';
import type { Db, Document } from 'mongodb';
import { readAuditCheckpoints } from './auditCheckpoints.js';
import { AUDIT_EVENTS_COLLECTION, GENESIS_HASH } from './AuditEvent.js';
import { hashAuditEvent } from './hashAuditEvent.js';

/**
 * Why a chain breaks:
 * - `edited`: an event's content no longer matches its hash, or an event was
 *   rewritten with a recomputed hash and its successor still seals the original;
 * - `deleted`: a seq is missing, or an event links to one no longer stored;
 * - `reordered`: an event links to an event stored at another position;
 * - `duplicated`: two events share a seq (the unique index was removed);
 * - `anchor`: the chain does not contain the anchored head, given by hand or
 *   taken from its latest signed checkpoint (truncated or rewritten after it
 *   was taken);
 * - `checkpoint`: a stored checkpoint of the chain does not verify against
 *   the gateway's key (forged or edited).
 */
export type AuditChainBreakReason =
  'edited' | 'deleted' | 'reordered' | 'duplicated' | 'anchor' | 'checkpoint';

/** Where and why a chain breaks. */
export interface AuditChainBreak {
  /** The first seq at which the chain is not what was written. */
  readonly seq: number;
  readonly reason: AuditChainBreakReason;
  /** A sentence for the report. */
  readonly detail: string;
}

/** The verdict on one chain. */
export interface AuditChainReport {
  readonly chainId: string;
  /** Whether every event verifies and links to its predecessor (and the anchor, if given, is found). */
  readonly ok: boolean;
  /** Number of events stored in the chain. */
  readonly events: number;
  /** seq of the last stored event (0 for an empty chain). */
  readonly headSeq: number;
  /** hash of the last stored event; record it elsewhere to anchor the chain. */
  readonly headHash: string;
  /** When the last stored event happened. */
  readonly headAt: Date | null;
  /** The first break, when not ok. */
  readonly break: AuditChainBreak | null;
  /** The signed checkpoint the chain was checked against, when one was used. */
  readonly checkpoint: { readonly seq: number; readonly at: Date } | null;
}

/** A head recorded outside the database (e.g. printed by `npm run audit:verify` and kept elsewhere). */
export interface AuditChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditChainOptions {
  /** Verify only this chain; every chain found when omitted. */
  readonly chainId?: string;
  /**
   * Heads recorded earlier, by chainId: each must still be in its chain with
   * the same hash. Only an anchor reveals a truncated tail or a chain
   * rewritten from some point on with recomputed hashes.
   */
  readonly anchors?: Readonly<Record<string, AuditChainAnchor>>;
  /**
   * The gateway's public key: each chain without an anchor given by hand is
   * checked against its latest checkpoint that verifies with it
   * (`audit_checkpoints`), and chains with checkpoints but no events left
   * are reported too. Checkpoints are not read when omitted.
   */
  readonly checkpointKey?: KeyObject;
}

/** Verifies the audit chains stored in `db` (the governance database). */
export async function verifyAuditChain(
  db: Db,
  options: VerifyAuditChainOptions = {},
): Promise<AuditChainReport[]> {
  const collection = db.collection(AUDIT_EVENTS_COLLECTION);
  const chainIds =
    options.chainId !== undefined
      ? [options.chainId]
      : ((await collection.distinct('chainId')) as unknown[])
          .filter((id): id is string => typeof id === 'string')
          .sort();
  const checkpoints = options.checkpointKey
    ? await readAuditCheckpoints(db, options.checkpointKey)
    : null;
  // A chain whose events are all gone is still known by its anchor or checkpoints.
  for (const known of [
    ...Object.keys(options.anchors ?? {}),
    ...(checkpoints?.latest.keys() ?? []),
    ...(checkpoints?.forged.map((forged) => forged.chainId) ?? []),
  ]) {
    if (options.chainId === undefined && !chainIds.includes(known))
      chainIds.push(known);
  }
  const reports: AuditChainReport[] = [];
  for (const chainId of chainIds) {
    const checkpoint = checkpoints?.latest.get(chainId);
    const given = options.anchors?.[chainId];
    const report = await verifyOneChain(db, chainId, given ?? checkpoint);
    const forged = checkpoints?.forged.find(
      (candidate) => candidate.chainId === chainId,
    );
    reports.push({
      ...report,
      ...(report.ok && forged
        ? {
            ok: false,
            break: {
              seq: forged.seq,
              reason: 'checkpoint' as const,
              detail: `the checkpoint of seq ${forged.seq} does not verify with the gateway's key (forged or edited)`,
            },
          }
        : {}),
      checkpoint:
        !given && checkpoint
          ? { seq: checkpoint.seq, at: checkpoint.at }
          : null,
    });
  }
  return reports;
}

async function verifyOneChain(
  db: Db,
  chainId: string,
  anchor: AuditChainAnchor | undefined,
): Promise<Omit<AuditChainReport, 'checkpoint'>> {
  const collection = db.collection(AUDIT_EVENTS_COLLECTION);
  let expectedSeq = 1;
  let prev: { seq: number; hash: string; selfOk: boolean } | null = null;
  let events = 0;
  let found: AuditChainBreak | null = null;
  let headAt: Date | null = null;
  let anchorSeen = false;

  const cursor = collection.find({ chainId }).sort({ seq: 1 });
  for await (const doc of cursor) {
    events += 1;
    const seq = typeof doc['seq'] === 'number' ? doc['seq'] : Number.NaN;
    const hash = typeof doc['hash'] === 'string' ? doc['hash'] : '';
    headAt = doc['at'] instanceof Date ? doc['at'] : null;
    const selfOk = hashAuditEvent(doc) === hash;
    if (anchor && seq === anchor.seq) {
      anchorSeen = true;
      if (found === null && hash !== anchor.hash) {
        found = {
          seq,
          reason: 'anchor',
          detail: `the event at seq ${seq} has hash ${hash}, not the anchored ${anchor.hash}: the chain was rewritten after the anchor was taken`,
        };
      }
    }
    if (found === null)
      found = await checkEvent(
        collection,
        chainId,
        doc,
        seq,
        selfOk,
        expectedSeq,
        prev,
      );
    prev = { seq, hash, selfOk };
    expectedSeq = Number.isInteger(seq)
      ? Math.max(expectedSeq, seq + 1)
      : expectedSeq + 1;
  }
  if (found === null && anchor && !anchorSeen) {
    found = {
      seq: anchor.seq,
      reason: 'anchor',
      detail: `the anchored event seq ${anchor.seq} is missing: the chain ends at seq ${prev?.seq ?? 0} (tail truncated)`,
    };
  }
  return {
    chainId,
    ok: found === null,
    events,
    headSeq: prev?.seq ?? 0,
    headHash: prev?.hash ?? GENESIS_HASH,
    headAt,
    break: found,
  };
}

async function checkEvent(
  collection: ReturnType<Db['collection']>,
  chainId: string,
  doc: Document,
  seq: number,
  selfOk: boolean,
  expectedSeq: number,
  prev: { seq: number; hash: string; selfOk: boolean } | null,
): Promise<AuditChainBreak | null> {
  if (!Number.isInteger(seq)) {
    return {
      seq: expectedSeq,
      reason: 'edited',
      detail: `an event has a non-integer seq (${String(doc['seq'])})`,
    };
  }
  if (seq < expectedSeq) {
    return {
      seq,
      reason: 'duplicated',
      detail: `seq ${seq} is stored more than once (the unique index was removed)`,
    };
  }
  if (seq > expectedSeq) {
    const missing =
      seq - 1 === expectedSeq
        ? `seq ${expectedSeq} is`
        : `seqs ${expectedSeq} to ${seq - 1} are`;
    return {
      seq: expectedSeq,
      reason: 'deleted',
      detail: `${missing} missing`,
    };
  }
  const expectedPrev = prev?.hash ?? GENESIS_HASH;
  if (doc['prevHash'] !== expectedPrev) {
    const linked =
      typeof doc['prevHash'] === 'string'
        ? await collection.findOne(
            { chainId, hash: doc['prevHash'] },
            { projection: { _id: 0, seq: 1 } },
          )
        : null;
    if (linked && linked['seq'] !== prev?.seq) {
      return {
        seq,
        reason: 'reordered',
        detail: `the event at seq ${seq} follows the event stored at seq ${String(linked['seq'])}, not the one at seq ${prev?.seq ?? 0}`,
      };
    }
    if (selfOk && prev && prev.selfOk) {
      return {
        seq: prev.seq,
        reason: 'edited',
        detail: `the event at seq ${prev.seq} was replaced with a recomputed hash; the event at seq ${seq} still seals the original`,
      };
    }
    return {
      seq,
      reason: 'deleted',
      detail:
        prev === null
          ? `the chain starts at seq ${seq} with an event that follows one no longer stored`
          : `the event at seq ${seq} follows an event that is no longer stored (deleted, later events renumbered)`,
    };
  }
  if (!selfOk) {
    return {
      seq,
      reason: 'edited',
      detail: `the event at seq ${seq} does not match its hash (its content was changed)`,
    };
  }
  return null;
}
