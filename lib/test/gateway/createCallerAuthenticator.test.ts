import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  SignJWT,
  UnsecuredJWT,
  createLocalJWKSet,
  exportJWK,
  type JWTPayload,
} from 'jose';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../runtime/config.js';
import { UnauthenticatedError } from '../../runtime/errors.js';
import { anonymousViewer } from '../../runtime/viewer.js';
import { createCallerAuthenticator } from '../../gateway/createCallerAuthenticator.js';

const auth: Config['auth'] = {
  jwksUrl: undefined,
  publicKeyFile: undefined,
  issuer: 'urn:test:issuer',
  audience: 'urn:test:city-graph',
  clockToleranceSeconds: 5,
};

const issuerKeys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const rsaKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const now = () => Math.floor(Date.now() / 1000);

interface MintOptions {
  claims?: JWTPayload;
  key?: KeyObject;
  alg?: string;
  kid?: string;
  issuer?: string;
  audience?: string;
  exp?: number;
  nbf?: number;
  sub?: string | null;
}

function mint(options: MintOptions = {}): Promise<string> {
  const jwt = new SignJWT({
    scope: 'mobility:staff audit:read',
    ...options.claims,
  })
    .setProtectedHeader({
      alg: options.alg ?? 'EdDSA',
      ...(options.kid ? { kid: options.kid } : {}),
    })
    .setIssuer(options.issuer ?? auth.issuer)
    .setAudience(options.audience ?? auth.audience)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? now() + 300);
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'user-1');
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? issuerKeys.privateKey);
}

const authenticate = createCallerAuthenticator(auth, {
  publicKey: issuerKeys.publicKey,
});

async function expectRefused(header: string, message: RegExp): Promise<void> {
  const error = await authenticate(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  expect((error as UnauthenticatedError).extensions['code']).toBe(
    'UNAUTHENTICATED',
  );
  expect((error as Error).message).toMatch(message);
}

describe('createCallerAuthenticator', () => {
  it('returns the anonymous viewer without an Authorization header', async () => {
    expect(await authenticate(undefined)).toBe(anonymousViewer);
    expect(await authenticate('')).toBe(anonymousViewer);
  });

  it('returns subject, scopes and derived policies for a valid token', async () => {
    const viewer = await authenticate(`Bearer ${await mint()}`);
    expect(viewer.subject).toBe('user-1');
    expect([...viewer.scopes]).toEqual(['mobility:staff', 'audit:read']);
    expect([...viewer.policies].sort()).toEqual(['auditor', 'city-staff']);
  });

  it('accepts the Bearer scheme in any case', async () => {
    const viewer = await authenticate(`bearer ${await mint()}`);
    expect(viewer.subject).toBe('user-1');
  });

  it('accepts a token without scope claim as an identity with no scopes', async () => {
    const token = await mint({ claims: { scope: undefined } });
    const viewer = await authenticate(`Bearer ${token}`);
    expect(viewer.scopes.size).toBe(0);
  });

  it('accepts RS256 and ES256 keys with their own algorithm', async () => {
    for (const [keys, alg] of [
      [rsaKeys, 'RS256'],
      [ecKeys, 'ES256'],
    ] as const) {
      const verify = createCallerAuthenticator(auth, {
        publicKey: keys.publicKey.export({
          type: 'spki',
          format: 'pem',
        }) as string,
      });
      const token = await mint({ key: keys.privateKey, alg });
      expect((await verify(`Bearer ${token}`)).subject).toBe('user-1');
    }
  });

  it('tolerates clock skew within the configured tolerance', async () => {
    const token = await mint({ exp: now() - 2 });
    expect((await authenticate(`Bearer ${token}`)).subject).toBe('user-1');
  });

  describe('attacks', () => {
    it('refuses an expired token', async () => {
      await expectRefused(
        `Bearer ${await mint({ exp: now() - 60 })}`,
        /^Invalid token: expired\.$/,
      );
    });

    it('refuses a token from another issuer', async () => {
      await expectRefused(
        `Bearer ${await mint({ issuer: 'urn:evil' })}`,
        /wrong issuer/,
      );
    });

    it('refuses a token for another audience', async () => {
      await expectRefused(
        `Bearer ${await mint({ audience: 'urn:other-api' })}`,
        /wrong audience/,
      );
    });

    it('refuses a token not valid yet (nbf in the future)', async () => {
      await expectRefused(
        `Bearer ${await mint({ nbf: now() + 600 })}`,
        /not yet valid/,
      );
    });

    it('refuses a token signed with another key', async () => {
      await expectRefused(
        `Bearer ${await mint({ key: otherKeys.privateKey })}`,
        /signature verification failed/,
      );
    });

    it('refuses alg: none', async () => {
      const token = new UnsecuredJWT({ scope: 'audit:read' })
        .setIssuer(auth.issuer)
        .setAudience(auth.audience)
        .setSubject('user-1')
        .setExpirationTime(now() + 300)
        .encode();
      await expectRefused(`Bearer ${token}`, /algorithm not allowed/);
    });

    it('refuses HS256 signed with the public key PEM as the secret', async () => {
      for (const keys of [issuerKeys, rsaKeys]) {
        const pem = keys.publicKey.export({ type: 'spki', format: 'pem' });
        const verify = createCallerAuthenticator(auth, {
          publicKey: pem as string,
        });
        const forged = await new SignJWT({ scope: 'audit:read' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(auth.issuer)
          .setAudience(auth.audience)
          .setSubject('attacker')
          .setExpirationTime(now() + 300)
          .sign(new TextEncoder().encode(pem as string));
        const error = await verify(`Bearer ${forged}`).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnauthenticatedError);
        expect((error as Error).message).toBe(
          'Invalid token: algorithm not allowed.',
        );
      }
    });

    it('refuses an algorithm other than the configured key implies', async () => {
      // ES256 token against an RSA key: refused before any key use.
      const verify = createCallerAuthenticator(auth, {
        publicKey: rsaKeys.publicKey,
      });
      const token = await mint({ key: ecKeys.privateKey, alg: 'ES256' });
      await expect(verify(`Bearer ${token}`)).rejects.toThrow(
        /algorithm not allowed/,
      );
    });

    it('refuses garbage', async () => {
      await expectRefused('Bearer not.a.jwt', /malformed/);
      await expectRefused('Bearer abc', /malformed/);
    });

    it('refuses a token without the Bearer prefix', async () => {
      await expectRefused(await mint(), /expected "Bearer <token>"/);
      await expectRefused(
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        /Bearer/,
      );
    });

    it('refuses a token without subject', async () => {
      await expectRefused(
        `Bearer ${await mint({ sub: null })}`,
        /missing sub claim/,
      );
    });

    it('refuses a token without expiry', async () => {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer(auth.issuer)
        .setAudience(auth.audience)
        .setSubject('user-1')
        .sign(issuerKeys.privateKey);
      await expectRefused(`Bearer ${token}`, /missing exp claim/);
    });

    it('refuses a non-string scope claim', async () => {
      const token = await mint({ claims: { scope: ['audit:read'] } });
      await expectRefused(`Bearer ${token}`, /scope claim/);
    });

    it('never echoes the token in the error message', async () => {
      const token = await mint({ exp: now() - 60 });
      const error = (await authenticate(`Bearer ${token}`).catch(
        (e: unknown) => e,
      )) as Error;
      expect(error.message).not.toContain(token.slice(0, 20));
    });
  });

  describe('JWKS', () => {
    it('selects the key by kid and refuses unknown kids', async () => {
      const jwk = {
        ...(await exportJWK(issuerKeys.publicKey)),
        kid: 'k1',
        alg: 'EdDSA',
      };
      const verify = createCallerAuthenticator(auth, {
        jwks: createLocalJWKSet({ keys: [jwk] }),
      });
      expect(
        (await verify(`Bearer ${await mint({ kid: 'k1' })}`)).subject,
      ).toBe('user-1');
      const other = await mint({ kid: 'k2', key: otherKeys.privateKey });
      await expect(verify(`Bearer ${other}`)).rejects.toThrow(
        /unknown signing key/,
      );
    });

    it('refuses alg: none with a JWKS too', async () => {
      const jwk = { ...(await exportJWK(issuerKeys.publicKey)), kid: 'k1' };
      const verify = createCallerAuthenticator(auth, {
        jwks: createLocalJWKSet({ keys: [jwk] }),
      });
      const token = new UnsecuredJWT({})
        .setIssuer(auth.issuer)
        .setAudience(auth.audience)
        .setSubject('user-1')
        .setExpirationTime(now() + 300)
        .encode();
      await expect(verify(`Bearer ${token}`)).rejects.toBeInstanceOf(
        UnauthenticatedError,
      );
    });
  });

  describe('configuration', () => {
    it('throws when no key source is configured', () => {
      expect(() => createCallerAuthenticator(auth)).toThrow(
        /AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE/,
      );
    });

    it('refuses a private key or an unsupported key type as public key', () => {
      expect(() =>
        createCallerAuthenticator(auth, { publicKey: issuerKeys.privateKey }),
      ).toThrow(/public key/);
      const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
      expect(() =>
        createCallerAuthenticator(auth, { publicKey: p384.publicKey }),
      ).toThrow(/P-256/);
    });
  });
});
