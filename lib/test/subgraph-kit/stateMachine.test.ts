import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  defineStateMachine,
} from '../../subgraph-kit/stateMachine.js';
import {
  assertVersion,
  atVersion,
  expectedVersionProblem,
  versionOf,
} from '../../subgraph-kit/versioning.js';

const machine = defineStateMachine<'A' | 'B' | 'C'>('Thing', {
  A: ['B', 'C'],
  B: ['C'],
  C: [],
});

describe('stateMachine', () => {
  it('allows only the declared transitions', () => {
    expect(canTransition(machine, 'A', 'B')).toBe(true);
    expect(canTransition(machine, 'B', 'A')).toBe(false);
    expect(canTransition(machine, 'C', 'C')).toBe(false);
  });

  it('refuses an impossible transition with CONFLICT, the current state and what it could become', () => {
    expect(() =>
      assertTransition(machine, 't-1', 'B', 'A', 'reopened'),
    ).toThrow(
      'Thing t-1 is B: it cannot be reopened (from B it can only become C).',
    );
    expect(() => assertTransition(machine, 't-1', 'C', 'B', 'moved')).toThrow(
      expect.objectContaining({
        message: 'Thing t-1 is C: it cannot be moved (C is final).',
        extensions: {
          code: 'CONFLICT',
          reason: 'INVALID_TRANSITION',
          currentState: 'C',
        },
      }),
    );
  });
});

describe('versioning', () => {
  it('counts a document without a version as version 1, and matches it', () => {
    expect(versionOf({})).toBe(1);
    expect(versionOf({ version: 4 })).toBe(4);
    expect(atVersion(1)).toEqual({ version: { $in: [1, null] } });
    expect(atVersion(4)).toEqual({ version: 4 });
  });

  it('refuses a stale expectedVersion with the current one', () => {
    expect(() => assertVersion('Thing', 't-1', 3, 3)).not.toThrow();
    expect(() => assertVersion('Thing', 't-1', 3, undefined)).not.toThrow();
    expect(() => assertVersion('Thing', 't-1', 3, 2)).toThrow(
      expect.objectContaining({
        extensions: {
          code: 'CONFLICT',
          reason: 'STALE_VERSION',
          currentVersion: 3,
        },
      }),
    );
  });

  it('accepts only positive integers as expectedVersion', () => {
    expect(expectedVersionProblem(null)).toBeNull();
    expect(expectedVersionProblem(1)).toBeNull();
    expect(expectedVersionProblem(0)).toMatch(/positive integer/);
    expect(expectedVersionProblem(-2)).toMatch(/positive integer/);
  });
});
