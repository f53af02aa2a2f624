// Internal to localdb: open cursors and their batches.
import { Long, calculateObjectSize, type Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { MAX_BSON_OBJECT_SIZE } from '../wire/opcodes.js';

/** Documents in a first batch when the client gives no batchSize, as MongoDB does. */
const DEFAULT_FIRST_BATCH = 101;

/** A batch stops once it reaches this many bytes, leaving room for the reply envelope. */
const MAX_BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024;

/** Cursors idle this long are closed, as MongoDB's cursorTimeoutMillis. */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  id: Long;
  ns: string;
  docs: Document[];
  position: number;
  lastUsed: number;
}

/** One batch of a cursor reply. */
export interface Batch {
  batch: Document[];
  /** 0 when the cursor is exhausted. Always int64 on the wire: an int32 id makes the driver throw. */
  id: Long;
}

function cursorKey(id: unknown): string {
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  if (id instanceof Long) return id.toString();
  throw new CommandError(
    ErrorCode.TypeMismatch,
    'cursor id must be a 64-bit integer',
  );
}

/** True if #take would take every one of `docs` (by bytes: the first always goes). */
function fitsOneBatch(docs: readonly Document[]): boolean {
  // One document always goes: a point read is not measured.
  if (docs.length <= 1) return true;
  let bytes = 0;
  for (let i = 0; i < docs.length; i += 1) {
    const size = calculateObjectSize(docs[i] as Document);
    if (i > 0 && bytes + size > MAX_BATCH_BYTES) return false;
    bytes += size;
  }
  return true;
}

/**
 * Holds result sets between find/aggregate and getMore. Results are materialized
 * when the cursor opens, so a getMore sees the documents as they were then.
 */
export class CursorManager {
  readonly #cursors = new Map<string, OpenCursor>();
  // Ids start at a random point below 2^52 so they stay exact when the driver's
  // BSON promotes them to numbers, and differ between server runs.
  #nextId = Math.floor(Math.random() * 2 ** 40) + 1;
  readonly #sweeper: NodeJS.Timeout;

  constructor() {
    this.#sweeper = setInterval(() => this.#sweep(), 60_000);
    this.#sweeper.unref();
  }

  /** Takes the first batch of `docs`; keeps a cursor open if more remain and `singleBatch` is not set. */
  open(
    ns: string,
    docs: Document[],
    batchSize: number | undefined,
    singleBatch: boolean,
  ): Batch {
    // The usual case, a result that fits one batch (every point read): answered as it
    // is, with no cursor built and no copy of the array.
    const max = batchSize ?? DEFAULT_FIRST_BATCH;
    if (docs.length <= max && fitsOneBatch(docs))
      return { batch: docs, id: Long.ZERO };
    const cursor: OpenCursor = {
      id: Long.ZERO,
      ns,
      docs,
      position: 0,
      lastUsed: Date.now(),
    };
    const batch = this.#take(cursor, max);
    if (singleBatch || cursor.position >= docs.length)
      return { batch, id: Long.ZERO };
    cursor.id = Long.fromNumber(this.#nextId++);
    this.#cursors.set(cursor.id.toString(), cursor);
    return { batch, id: cursor.id };
  }

  /** The next batch of an open cursor. Throws CursorNotFound. */
  getMore(id: unknown, ns: string, batchSize: number | undefined): Batch {
    const key = cursorKey(id);
    const cursor = this.#cursors.get(key);
    if (cursor === undefined || cursor.ns !== ns) {
      throw new CommandError(
        ErrorCode.CursorNotFound,
        `cursor id ${key} not found`,
      );
    }
    cursor.lastUsed = Date.now();
    const batch = this.#take(cursor, batchSize ?? Number.MAX_SAFE_INTEGER);
    if (cursor.position >= cursor.docs.length) {
      this.#cursors.delete(key);
      return { batch, id: Long.ZERO };
    }
    return { batch, id: cursor.id };
  }

  /** Closes cursors; returns which ids were found. */
  kill(ids: readonly unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const key = cursorKey(id);
      const asLong = Long.fromString(key);
      if (this.#cursors.delete(key)) killed.push(asLong);
      else notFound.push(asLong);
    }
    return { killed, notFound };
  }

  /** Closes every cursor and stops the idle sweeper. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#cursors.clear();
  }

  #take(cursor: OpenCursor, max: number): Document[] {
    const out: Document[] = [];
    let bytes = 0;
    while (out.length < max && cursor.position < cursor.docs.length) {
      const doc = cursor.docs[cursor.position] as Document;
      const size = calculateObjectSize(doc);
      if (out.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      out.push(doc);
      bytes += size;
      cursor.position += 1;
    }
    return out;
  }

  #sweep(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [key, cursor] of this.#cursors)
      if (cursor.lastUsed < cutoff) this.#cursors.delete(key);
  }
}
