/**
 * Idempotency keys for the departments' workflow mutations (docs/workflows.md):
 * a client that retries a write with the same `idempotencyKey` and the same
 * input gets the first answer back, and nothing changes a second time; the
 * same key with another input is refused. Follows the IETF draft
 * "The Idempotency-Key HTTP Header Field"
 * (https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/):
 * a key reused with a different payload is a client error (here
 * BAD_USER_INPUT, reason `IDEMPOTENCY_KEY_REUSED`), a retry while the first
 * request still runs is a conflict (CONFLICT, `IDEMPOTENCY_KEY_IN_PROGRESS`).
 *
 * The mechanism lives here once; each department keeps the records in its
 * own database (the model lib/subgraph-kit/models/IdempotencyRecord.ts,
 * compiled on the department's connection) and hands the collection over as
 * a small {@link IdempotencyCollection}, so this file needs no mongoose.
 */
import { createHash } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  describeError,
} from '../runtime/errors.js';
import type { Logger } from '../runtime/logger.js';

/** The collection, in each department's own database. */
export const IDEMPOTENCY_COLLECTION = 'idempotency_keys';

/** How long a key is remembered: a retry after that is a new request (the IETF draft's expiry). */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 3600;

/**
 * How long a claimed key with no result blocks its retries: a process that
 * died mid-request leaves one; after this a retry runs again (and the
 * entity's version or state then refuses a change already made).
 */
export const IDEMPOTENCY_LEASE_MS = 30_000;

/** 1 to 128 characters: letters, digits and `.`, `_`, `:`, `-` (a UUID fits). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** One remembered key. */
export interface IdempotencyDoc {
  /** sha256 of the operation, the caller's subject and the key: keys of different callers never meet. */
  _id: string;
  operation: string;
  subject: string | null;
  /** sha256 of the operation's input (its arguments but the key), canonical JSON. */
  fingerprint: string;
  /** `pending` while the first request runs; `done` once its result is stored. */
  state: 'pending' | 'done';
  /** The first request's answer (the changed document as stored), once done. */
  result: unknown;
  createdAt: Date;
}

/** The mongoose schema definition of {@link IdempotencyDoc}; each department's model wraps it. */
export const idempotencyDocDefinition = {
  _id: { type: String, required: true },
  operation: { type: String, required: true },
  subject: { type: String, default: null },
  fingerprint: { type: String, required: true },
  state: { type: String, required: true, enum: ['pending', 'done'] },
  result: { type: Object, default: null },
  createdAt: {
    type: Date,
    required: true,
    // Expired keys are removed by the database (TTL index).
    expires: IDEMPOTENCY_RETENTION_SECONDS,
  },
} as const;

/** The part of a driver collection the store writes through (a mongoose model's `.collection` is one). */
export interface IdempotencyCollection {
  // Parameters typed `object`: a driver collection of any document type
  // fits, whatever its `_id` type.
  insertOne(doc: object): Promise<unknown>;
  findOne(filter: object): Promise<unknown>;
  updateOne(filter: object, update: object): Promise<{ matchedCount: number }>;
  deleteOne(filter: object): Promise<unknown>;
}

/** Where a department remembers its keys. */
export interface IdempotencyStore {
  /** Claims `doc._id`; null when claimed, the record already there otherwise. */
  claim(doc: IdempotencyDoc): Promise<IdempotencyDoc | null>;
  /** Takes over a pending claim older than `staleBefore`; false when another request holds it. */
  takeOver(id: string, staleBefore: Date, now: Date): Promise<boolean>;
  /** Stores the result of a claimed key. */
  complete(id: string, result: unknown): Promise<void>;
  /** Forgets a claim whose request failed, so a retry runs again. */
  release(id: string): Promise<void>;
}

function isDuplicateKey(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 11000
  );
}

/** The {@link IdempotencyStore} over a department's collection. */
export function createIdempotencyStore(
  collection: IdempotencyCollection,
): IdempotencyStore {
  return {
    async claim(doc) {
      try {
        await collection.insertOne(doc);
        return null;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const existing = (await collection.findOne({
        _id: doc._id,
      })) as IdempotencyDoc | null;
      // Expired and removed between the insert and the read: claim again.
      if (existing === null) return this.claim(doc);
      return existing;
    },
    async takeOver(id, staleBefore, now) {
      const { matchedCount } = await collection.updateOne(
        { _id: id, state: 'pending', createdAt: { $lt: staleBefore } },
        { $set: { createdAt: now } },
      );
      return matchedCount === 1;
    },
    async complete(id, result) {
      await collection.updateOne(
        { _id: id },
        { $set: { state: 'done', result } },
      );
    },
    async release(id) {
      await collection.deleteOne({ _id: id, state: 'pending' });
    },
  };
}

/** JSON with object keys sorted, so the same input always gives the same fingerprint. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object')
    return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

/** The problem with an `idempotencyKey` argument, or null when it is absent or well formed. */
export function idempotencyKeyProblem(
  key: string | null | undefined,
): string | null {
  if (key === null || key === undefined) return null;
  return IDEMPOTENCY_KEY_PATTERN.test(key)
    ? null
    : 'idempotencyKey must be 1 to 128 characters: letters, digits, ".", "_", ":" or "-" (a UUID fits)';
}

/** One idempotent call. */
export interface IdempotentCall {
  store: IdempotencyStore;
  /** The mutation's name: a key is per operation and caller. */
  operation: string;
  /** The caller's subject. */
  subject: string | null;
  /** The client's key; absent, the call simply runs. */
  key: string | null | undefined;
  /** The operation's input (its arguments but the key). */
  input: unknown;
  logger: Pick<Logger, 'error'>;
  /** @default new Date() */
  now?: Date;
}

/**
 * Runs `execute` at most once per (operation, caller, key): a retry with the
 * same input answers the stored result without running it; another input
 * under the same key is BAD_USER_INPUT (`IDEMPOTENCY_KEY_REUSED`); a retry
 * while the first runs is CONFLICT (`IDEMPOTENCY_KEY_IN_PROGRESS`). A call
 * that throws leaves no record, so its retry runs again (a refusal is
 * answered again for the same reason, or the call succeeds if the state
 * allows it by then). Validate the arguments before calling this: a bad
 * argument should not claim a key.
 */
export async function runIdempotent<T>(
  call: IdempotentCall,
  execute: () => Promise<T>,
): Promise<T> {
  const problem = idempotencyKeyProblem(call.key);
  if (problem)
    throw new BadUserInputError(`Invalid idempotencyKey: ${problem}.`, {
      argumentName: 'idempotencyKey',
      problems: [problem],
    });
  if (call.key === null || call.key === undefined) return execute();
  const now = call.now ?? new Date();
  const id = sha256(`${call.operation}\n${call.subject ?? ''}\n${call.key}`);
  const fingerprint = sha256(canonicalJson(call.input));
  const existing = await call.store.claim({
    _id: id,
    operation: call.operation,
    subject: call.subject,
    fingerprint,
    state: 'pending',
    result: null,
    createdAt: now,
  });
  if (existing) {
    if (existing.fingerprint !== fingerprint)
      throw new BadUserInputError(
        `idempotencyKey "${call.key}" was already used for ${call.operation} with another input: use a new key for a new request.`,
        { argumentName: 'idempotencyKey', reason: 'IDEMPOTENCY_KEY_REUSED' },
      );
    if (existing.state === 'done') return existing.result as T;
    const taken = await call.store.takeOver(
      id,
      new Date(now.getTime() - IDEMPOTENCY_LEASE_MS),
      now,
    );
    if (!taken)
      throw new ConflictError(
        `A request with idempotencyKey "${call.key}" is still being processed: retry in a moment.`,
        'IDEMPOTENCY_KEY_IN_PROGRESS',
      );
  }
  let result: T;
  try {
    result = await execute();
  } catch (error) {
    await call.store
      .release(id)
      .catch((releaseError: unknown) =>
        call.logger.error(
          { operation: call.operation, err: describeError(releaseError) },
          'idempotency key not released after a failed call; it blocks retries until its lease ends',
        ),
      );
    throw error;
  }
  try {
    await call.store.complete(id, result);
  } catch (error) {
    // The change is made and its answer must say so; a retry after the
    // lease runs again and is refused by the entity's version or state.
    call.logger.error(
      { operation: call.operation, err: describeError(error) },
      'change made but its idempotency result not stored',
    );
  }
  return result;
}
