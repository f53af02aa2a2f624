/**
 * Optimistic concurrency for workflow entities (docs/workflows.md): every
 * mutable entity carries a `version` (1 when created, +1 on each change).
 * A mutation may send the `expectedVersion` it decided on; a stale one is
 * refused with CONFLICT, reason `STALE_VERSION`, `currentVersion` named. The
 * write itself is conditional on the version read, so of two concurrent
 * changes one wins and the other is told, whether it sent a version or not.
 */
import { ConflictError } from '../runtime/errors.js';

/** The version of a new entity, and of one stored before versions existed. */
export const INITIAL_VERSION = 1;

/** The mongoose field definition of `version` (models add it to their schema). */
export const versionFieldDefinition = {
  type: Number,
  default: INITIAL_VERSION,
  min: INITIAL_VERSION,
} as const;

/** An entity's version; one stored without it (seed, ingestion) is at {@link INITIAL_VERSION}. */
export function versionOf(doc: { version?: number | null }): number {
  return doc.version ?? INITIAL_VERSION;
}

/**
 * The filter that matches the entity only while it is at `version` (a
 * missing field counts as {@link INITIAL_VERSION}: `null` matches it).
 */
export function atVersion(version: number): Record<string, unknown> {
  return version === INITIAL_VERSION
    ? { version: { $in: [INITIAL_VERSION, null] } }
    : { version };
}

/** The problem with an `expectedVersion` argument, or null. */
export function expectedVersionProblem(
  expected: number | null | undefined,
): string | null {
  if (expected === null || expected === undefined) return null;
  return Number.isInteger(expected) && expected >= INITIAL_VERSION
    ? null
    : `expectedVersion must be a positive integer (the entity's version), got ${expected}`;
}

/** The CONFLICT a stale version gets. */
export function staleVersionError(
  entity: string,
  id: string,
  current: number,
  expected?: number | null,
): ConflictError {
  return new ConflictError(
    `${entity} ${id} is at version ${current}${
      expected === null || expected === undefined ? '' : `, not ${expected}`
    }: it changed since it was read; read it again and decide.`,
    'STALE_VERSION',
    { currentVersion: current },
  );
}

/** Throws {@link staleVersionError} when the caller expected another version than `current`. */
export function assertVersion(
  entity: string,
  id: string,
  current: number,
  expected: number | null | undefined,
): void {
  if (expected !== null && expected !== undefined && expected !== current)
    throw staleVersionError(entity, id, current, expected);
}
