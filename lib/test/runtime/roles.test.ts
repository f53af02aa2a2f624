import { describe, expect, it } from 'vitest';
import {
  ALL_SCOPES,
  POLICIES,
  ROLE_NAMES,
  ROLE_SCOPES,
  isKnownScope,
  policiesForScopes,
  scopesForRole,
} from '../../runtime/roles.js';

describe('roles', () => {
  it('uses exactly the agreed scope vocabulary', () => {
    expect([...ALL_SCOPES].sort()).toEqual(
      [
        'audit:read',
        'citizen',
        'economy:investments',
        'economy:staff',
        'engagement:pii',
        'engagement:staff',
        'environment:staff',
        'mobility:control',
        'mobility:staff',
        'mobility:ingest',
        'environment:ingest',
        'economy:ingest',
        'engagement:ingest',
      ].sort(),
    );
  });

  it('grants only vocabulary scopes, and none to the public', () => {
    for (const role of ROLE_NAMES) {
      for (const scope of ROLE_SCOPES[role])
        expect(isKnownScope(scope)).toBe(true);
    }
    expect(ROLE_SCOPES.public).toEqual([]);
  });

  it.each([
    ['citizen', ['citizen']],
    ['mobility-staff', ['mobility:staff', 'mobility:control']],
    ['engagement-staff', ['engagement:staff', 'engagement:pii']],
    ['auditor', ['audit:read']],
    ['mobility-ingest', ['mobility:ingest']],
    ['environment-ingest', ['environment:ingest']],
  ])('role %s grants %j', (role, scopes) => {
    expect(scopesForRole(role)).toEqual(scopes);
  });

  it('gives admin every scope', () => {
    expect([...scopesForRole('admin')].sort()).toEqual([...ALL_SCOPES].sort());
  });

  it('names the known roles when a role is unknown', () => {
    expect(() => scopesForRole('mayor')).toThrow(
      /Unknown role "mayor"\. Known roles: public, citizen, .*admin\./,
    );
  });

  it.each([
    [[], []],
    [['citizen'], []],
    [['economy:staff'], ['city-staff']],
    [['engagement:pii'], ['pii-access']],
    [['mobility:control'], ['traffic-control']],
    [['audit:read'], ['auditor']],
    [
      ['environment:staff', 'engagement:pii'],
      ['city-staff', 'pii-access'],
    ],
  ])('scopes %j satisfy policies %j', (scopes, policies) => {
    expect([...policiesForScopes(scopes)].sort()).toEqual(policies);
  });

  it('documents every policy', () => {
    for (const policy of Object.values(POLICIES)) {
      expect(policy.description.length).toBeGreaterThan(10);
    }
  });
});
