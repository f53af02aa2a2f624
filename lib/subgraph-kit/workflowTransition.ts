/**
 * One state change of a workflow entity, checked in the order the clients'
 * errors are documented in (docs/workflows.md): the transition must be
 * allowed from the current state (CONFLICT `INVALID_TRANSITION`), the caller's
 * `expectedVersion` must be current (CONFLICT `STALE_VERSION`), and the write
 * is conditional on both, so a change made by someone else between the read
 * and the write is refused the same way, never overwritten.
 */
import { assertTransition, type StateMachine } from './stateMachine.js';
import { idempotencyKeyProblem } from './idempotency.js';
import {
  assertVersion,
  expectedVersionProblem,
  staleVersionError,
  versionOf,
} from './versioning.js';

/** What {@link applyTransition} needs of the entity as read. */
export interface Versioned {
  readonly _id: string;
  readonly version?: number | null;
}

/** One transition of {@link applyTransition}. */
export interface TransitionOptions<S extends string, D extends Versioned> {
  machine: StateMachine<S>;
  /** The entity as read just before. */
  current: D;
  /** The entity's state in the machine (its stored status, or one derived from it and the time). */
  stateOf(doc: D): S;
  /** The state it moves to. */
  to: S;
  /** What was asked, for the message: "acknowledged", "closed". */
  action: string;
  /** The caller's `expectedVersion`, when it sent one. */
  expectedVersion: number | null | undefined;
  /** The conditional write: only while the entity is in `from` at `version`; null when it no longer is. */
  write(from: S, version: number): Promise<D | null>;
  /** Reads the entity again, when the write found it changed. */
  reread(): Promise<D | null>;
}

/** Applies one transition; the entity as written. */
export async function applyTransition<S extends string, D extends Versioned>(
  options: TransitionOptions<S, D>,
): Promise<D> {
  const { machine, current, to, action, stateOf } = options;
  const from = stateOf(current);
  assertTransition(machine, current._id, from, to, action);
  const version = versionOf(current);
  assertVersion(machine.entity, current._id, version, options.expectedVersion);
  const written = await options.write(from, version);
  if (written) return written;
  // Changed between the read and the write: say how, as if read after it.
  const now = await options.reread();
  if (now && stateOf(now) !== from)
    assertTransition(machine, now._id, stateOf(now), to, action);
  throw staleVersionError(
    machine.entity,
    current._id,
    now ? versionOf(now) : version + 1,
  );
}

/** The arguments every workflow mutation takes besides its own. */
export interface WorkflowArgs {
  expectedVersion?: number | null;
  idempotencyKey?: string | null;
}

/** Problems with {@link WorkflowArgs}, for the mutation's one BAD_USER_INPUT. */
export function workflowArgumentProblems(args: WorkflowArgs): string[] {
  return [
    expectedVersionProblem(args.expectedVersion),
    idempotencyKeyProblem(args.idempotencyKey),
  ].filter((p): p is string => p !== null);
}

// Control characters other than tab and newline have no place in a note.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * The problem with a free-text note (a reason, a resolution, status notes):
 * `min` to `max` characters once trimmed, no control characters; null when fine.
 */
export function noteProblem(
  name: string,
  text: string,
  min: number,
  max: number,
): string | null {
  const trimmed = text.trim();
  if (trimmed.length < min || trimmed.length > max)
    return `${name} must be ${min} to ${max} characters`;
  if (CONTROL.test(trimmed))
    return `${name} must not contain control characters`;
  return null;
}
