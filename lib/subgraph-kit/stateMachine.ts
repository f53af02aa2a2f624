/**
 * The life cycle of a workflow entity (a leak alert, a citizen report, a
 * workshop, ...): its states and the transitions between them, declared once
 * per entity and checked before any write, so an impossible transition (a
 * resolved alert acknowledged again) is refused with CONFLICT, reason
 * `INVALID_TRANSITION`, and the current state named (docs/workflows.md).
 */
import { ConflictError } from '../runtime/errors.js';

/** An entity's states and, for each, the states it may move to. */
export interface StateMachine<S extends string> {
  /** The GraphQL type, for messages: `WaterLeakAlert`. */
  readonly entity: string;
  readonly transitions: Readonly<Record<S, readonly S[]>>;
}

/** Declares a {@link StateMachine}; a state absent from every list is final. */
export function defineStateMachine<S extends string>(
  entity: string,
  transitions: Readonly<Record<S, readonly S[]>>,
): StateMachine<S> {
  return Object.freeze({ entity, transitions: Object.freeze(transitions) });
}

/** Whether `from` may move to `to`. */
export function canTransition<S extends string>(
  machine: StateMachine<S>,
  from: S,
  to: S,
): boolean {
  return machine.transitions[from].includes(to);
}

/**
 * Throws CONFLICT (`INVALID_TRANSITION`, `currentState`) unless `from` may
 * move to `to`; `action` names what was asked, e.g. "acknowledged".
 */
export function assertTransition<S extends string>(
  machine: StateMachine<S>,
  id: string,
  from: S,
  to: S,
  action: string,
): void {
  if (canTransition(machine, from, to)) return;
  const next = machine.transitions[from];
  throw new ConflictError(
    `${machine.entity} ${id} is ${from}: it cannot be ${action} (${
      next.length === 0
        ? `${from} is final`
        : `from ${from} it can only become ${next.join(' or ')}`
    }).`,
    'INVALID_TRANSITION',
    { currentState: from },
  );
}
