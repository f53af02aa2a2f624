import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCallerAuthenticator } from '../../lib/gateway/createCallerAuthenticator.js';
import { mintDevToken, parseTokenArgs } from '../token.js';

describe('parseTokenArgs', () => {
  it('combines the role scopes with --scopes, deduplicated', () => {
    expect(
      parseTokenArgs([
        '--role',
        'auditor',
        '--scopes',
        'audit:read  engagement:pii',
        '--sub',
        'auditor-01',
      ]),
    ).toEqual({
      subject: 'auditor-01',
      scopes: ['audit:read', 'engagement:pii'],
      ttlSeconds: 3600,
    });
  });

  it('defaults to a dev subject, no scopes and one hour', () => {
    expect(parseTokenArgs([])).toEqual({
      subject: 'dev-user',
      scopes: [],
      ttlSeconds: 3600,
    });
  });

  it('reads --ttl', () => {
    expect(parseTokenArgs(['--ttl', '60']).ttlSeconds).toBe(60);
  });

  it('refuses an unknown role, listing the roles', () => {
    expect(() => parseTokenArgs(['--role', 'mayor'])).toThrow(
      'Unknown role "mayor". Known roles: public, citizen, mobility-staff, environment-staff, economy-staff, engagement-staff, auditor, mobility-ingest, environment-ingest, economy-ingest, engagement-ingest, admin.',
    );
  });

  it('refuses a bad --ttl and unknown options with the usage', () => {
    expect(() => parseTokenArgs(['--ttl', 'soon'])).toThrow(/--ttl must be/);
    expect(() => parseTokenArgs(['--scopez', 'x'])).toThrow(
      /Usage: npm run -s token/,
    );
  });
});

describe('mintDevToken', () => {
  it('mints a token the gateway authenticator accepts', async () => {
    const keys = generateKeyPairSync('ed25519');
    const auth = {
      jwksUrl: undefined,
      publicKeyFile: undefined,
      issuer: 'urn:marseille:dev-issuer',
      audience: 'urn:marseille:city-graph',
      clockToleranceSeconds: 5,
    };
    const token = await mintDevToken({
      privateKey: keys.privateKey,
      issuer: auth.issuer,
      audience: auth.audience,
      ...parseTokenArgs(['--role', 'engagement-staff', '--sub', 'bob']),
    });
    const viewer = await createCallerAuthenticator(auth, {
      publicKey: keys.publicKey,
    })(`Bearer ${token}`);
    expect(viewer.subject).toBe('bob');
    expect([...viewer.scopes]).toEqual(['engagement:staff', 'engagement:pii']);
    expect([...viewer.policies].sort()).toEqual(['city-staff', 'pii-access']);
  });
});
