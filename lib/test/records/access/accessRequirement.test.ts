import { describe, expect, it } from 'vitest';
import { createViewer, anonymousViewer } from '../../../runtime/viewer.js';
import {
  PUBLIC_REQUIREMENT,
  combineRequirements,
  describeAccessRequirement,
  evaluateAccess,
  normalizeAlternatives,
  type AccessRequirement,
} from '../../../records/access/accessRequirement.js';

const req = (partial: Partial<AccessRequirement>): AccessRequirement => ({
  ...PUBLIC_REQUIREMENT,
  ...partial,
});

describe('normalizeAlternatives', () => {
  it.each<[string[][], string[][]]>([
    [[], []],
    [[[]], []],
    [[['b', 'a', 'a']], [['a', 'b']]],
    [
      [['c'], ['a']],
      [['a'], ['c']],
    ],
    [[['a', 'b'], ['a']], [['a']]],
    [[['a'], ['a']], [['a']]],
    [[['a'], []], []],
  ])('%j → %j', (input, expected) => {
    expect(normalizeAlternatives(input)).toEqual(expected);
  });
});

describe('combineRequirements', () => {
  it('returns public for nothing', () => {
    expect(combineRequirements()).toEqual(PUBLIC_REQUIREMENT);
  });

  it('ANDs scope alternatives by multiplying them out', () => {
    const combined = combineRequirements(
      req({ scopes: [['a'], ['b']] }),
      req({ scopes: [['c']] }),
    );
    expect(combined.scopes).toEqual([
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });

  it('keeps authentication and policies', () => {
    const combined = combineRequirements(
      req({ authenticated: true }),
      req({ policies: [['pii-access']] }),
      PUBLIC_REQUIREMENT,
    );
    expect(combined).toEqual({
      authenticated: true,
      scopes: [],
      policies: [['pii-access']],
    });
  });

  it('absorbs redundant groups', () => {
    const combined = combineRequirements(
      req({ scopes: [['a']] }),
      req({ scopes: [['a'], ['b']] }),
    );
    expect(combined.scopes).toEqual([['a']]);
  });
});

describe('evaluateAccess', () => {
  const staff = createViewer('u1', ['mobility:staff'], ['city-staff']);
  const both = createViewer('u2', ['mobility:staff', 'mobility:control']);
  const noScopes = createViewer('u3', []);
  const cases: [string, AccessRequirement, typeof staff, boolean | string][] = [
    ['public, anonymous', PUBLIC_REQUIREMENT, anonymousViewer, true],
    [
      'authenticated, anonymous',
      req({ authenticated: true }),
      anonymousViewer,
      'UNAUTHENTICATED',
    ],
    ['authenticated, identity', req({ authenticated: true }), noScopes, true],
    [
      'scope, anonymous',
      req({ scopes: [['mobility:staff']] }),
      anonymousViewer,
      'UNAUTHENTICATED',
    ],
    ['scope, held', req({ scopes: [['mobility:staff']] }), staff, true],
    [
      'scope, missing',
      req({ scopes: [['engagement:pii']] }),
      staff,
      'FORBIDDEN',
    ],
    [
      'AND, one missing',
      req({ scopes: [['mobility:staff', 'mobility:control']] }),
      staff,
      'FORBIDDEN',
    ],
    [
      'AND, both held',
      req({ scopes: [['mobility:staff', 'mobility:control']] }),
      both,
      true,
    ],
    [
      'OR, second held',
      req({ scopes: [['engagement:pii'], ['mobility:staff']] }),
      staff,
      true,
    ],
    ['policy, held', req({ policies: [['city-staff']] }), staff, true],
    [
      'policy, missing',
      req({ policies: [['pii-access']] }),
      staff,
      'FORBIDDEN',
    ],
    [
      'policy, anonymous',
      req({ policies: [['city-staff']] }),
      anonymousViewer,
      'UNAUTHENTICATED',
    ],
    [
      'scope and policy, policy missing',
      req({ scopes: [['mobility:staff']], policies: [['pii-access']] }),
      staff,
      'FORBIDDEN',
    ],
    [
      'policy derived elsewhere, not scopes',
      req({ policies: [['city-staff']] }),
      both,
      'FORBIDDEN',
    ],
  ];
  it.each(cases)('%s', (_name, requirement, viewer, expected) => {
    const decision = evaluateAccess(requirement, viewer);
    if (expected === true) expect(decision).toEqual({ allowed: true });
    else expect(decision).toEqual({ allowed: false, code: expected });
  });
});

describe('describeAccessRequirement', () => {
  it.each<[AccessRequirement, string]>([
    [PUBLIC_REQUIREMENT, 'public'],
    [req({ authenticated: true }), 'authentication'],
    [req({ scopes: [['engagement:pii']] }), 'scope engagement:pii'],
    [req({ scopes: [['a', 'b'], ['c']] }), 'scopes a and b or scope c'],
    [
      req({ authenticated: true, scopes: [['a']], policies: [['p']] }),
      'scope a; policy p',
    ],
  ])('%j → %s', (requirement, text) => {
    expect(describeAccessRequirement(requirement)).toBe(text);
  });

  it('quotes names on request', () => {
    expect(
      describeAccessRequirement(req({ scopes: [['a']] }), {
        quote: (n) => `\`${n}\``,
      }),
    ).toBe('scope `a`');
  });
});
