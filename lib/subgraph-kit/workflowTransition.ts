/**
 * One state change of a workflow entity, checked in the order the clients'
 * errors are documented in (docs/workflows.md): the transition must be
 * allowed from the current state (CONFLICT `INVALID_TRANSITION`), the caller's
 * `expectedVersion` must be current (CONFLICT `STALE_VERSION`), and the write
 * is conditional on both, so a change made by someone else between the read
 * and the write is refused the same way, never overwritten.
 */
import { assertTransition, type StateMachine } from './stateMachine.js';
import { assertVersion, staleVersionError, versionOf } from './versioning.js';

/** What {@link applyTransition} needs of the entity as read. */
export interface VersionedState<S extends string> {
  readonly _id: string;
  readonly version?: number | null;
  readonly status: S;
}

/** One transition of {@link applyTransition}. */
export interface TransitionOptions<
  S extends string,
  D extends VersionedState<S>,
> {
  machine: StateMachine<S>;
  /** The entity as read just before. */
  current: D;
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
export async function applyTransition<
  S extends string,
  D extends VersionedState<S>,
>(options: TransitionOptions<S, D>): Promise<D> {
  const { machine, current, to, action } = options;
  assertTransition(machine, current._id, current.status, to, action);
  const version = versionOf(current);
  assertVersion(machine.entity, current._id, version, options.expectedVersion);
  const written = await options.write(current.status, version);
  if (written) return written;
  // Changed between the read and the write: say how, as if read after it.
  const now = await options.reread();
  if (now && now.status !== current.status)
    assertTransition(machine, now._id, now.status, to, action);
  throw staleVersionError(
    machine.entity,
    current._id,
    now ? versionOf(now) : version + 1,
  );
}
