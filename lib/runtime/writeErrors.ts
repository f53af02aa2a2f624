/**
 * The per-document errors of an unordered bulk insert, as the MongoDB driver
 * reports them (`MongoBulkWriteError.writeErrors`), for callers that count a
 * duplicate key as "already stored" (idempotent writes).
 */

/** One document's error in a bulk write. */
export interface WriteErrorLike {
  /** The document's index in the batch. */
  readonly index: number;
  /** MongoDB's error code, e.g. {@link DUPLICATE_KEY}. */
  readonly code: number;
}

/** MongoDB's duplicate-key error code (E11000). */
export const DUPLICATE_KEY = 11000;

/** The per-document errors of an unordered insert, or undefined when the failure was not per document. */
export function writeErrorsOf(error: unknown): WriteErrorLike[] | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  if (raw === undefined || raw === null) return undefined;
  if ((error as { writeConcernError?: unknown }).writeConcernError)
    return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((e: { index?: unknown; code?: unknown }) => ({
    index: Number(e.index),
    code: Number(e.code),
  }));
}
