/**
 * Caller authentication at the gateway: verifies the OAuth2/OIDC bearer JWT
 * of the `Authorization` header and turns it into a {@link Viewer}.
 *
 * Keys come from the identity provider's JWKS (cached by jose, refetched when
 * a token names an unknown `kid`, at most once per cooldown, so key rotation
 * is honoured) or from one configured SPKI PEM public key. The algorithm
 * allow-list is pinned (RFC 8725 §3.1): `alg: none` and HS256 tokens
 * "signed" with the public key as an HMAC secret are refused.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createRemoteJWKSet,
  jwtVerify,
  type JWTVerifyGetKey,
  type RemoteJWKSetOptions,
} from 'jose';
import type { Config } from '../runtime/config.js';
import { UnauthenticatedError } from '../runtime/errors.js';
import { policiesForScopes } from '../runtime/roles.js';
import {
  anonymousViewer,
  createViewer,
  type Viewer,
} from '../runtime/viewer.js';
import { describeJwtError } from '../runtime/describeJwtError.js';

/** Asymmetric algorithms accepted from identity providers (never `none`, never HMAC). */
export const CALLER_TOKEN_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256',
  'ES256',
  'EdDSA',
  'Ed25519',
]);

/** Verifies an `Authorization` header value and returns the caller. */
export type CallerAuthenticator = (
  authorizationHeader: string | undefined,
) => Promise<Viewer>;

/** Options of {@link createCallerAuthenticator}. */
export interface CallerAuthenticatorOptions {
  /**
   * A key resolver used instead of `auth.jwksUrl` (e.g. jose's
   * `createLocalJWKSet` in tests).
   */
  readonly jwks?: JWTVerifyGetKey;
  /**
   * A public key (KeyObject or SPKI PEM) used instead of reading
   * `auth.publicKeyFile`.
   */
  readonly publicKey?: KeyObject | string;
  /**
   * Options of jose's `createRemoteJWKSet` for `auth.jwksUrl`.
   * @default { cooldownDuration: 30_000, cacheMaxAge: 600_000, timeoutDuration: 5_000 }
   */
  readonly remoteJwksOptions?: RemoteJWKSetOptions;
  /**
   * The time tokens are checked against (tests).
   * @default the current time
   */
  readonly currentDate?: () => Date;
}

/**
 * Builds the gateway's caller authenticator.
 *
 * - no header (or an empty one) → {@link anonymousViewer};
 * - `Bearer <jwt>` → verified signature (pinned algorithms), `iss`, `aud`,
 *   `exp` (required), `nbf`, with `auth.clockToleranceSeconds` of leeway; `sub`
 *   is required; scopes from the space-separated `scope` claim; policies
 *   derived from the scopes with lib/runtime/roles.ts;
 * - anything else → {@link UnauthenticatedError} with a short reason
 *   ("Invalid token: expired"), never echoing the token.
 *
 * Key source, first found: `options.jwks`, `options.publicKey`,
 * `auth.jwksUrl`, `auth.publicKeyFile` (read once, now).
 * @throws Error when no key source is configured or the key file is unusable.
 */
export function createCallerAuthenticator(
  auth: Config['auth'],
  options: CallerAuthenticatorOptions = {},
): CallerAuthenticator {
  const { key, algorithms } = resolveKeySource(auth, options);
  const verifyOptions = {
    algorithms: [...algorithms],
    issuer: auth.issuer,
    audience: auth.audience,
    clockTolerance: auth.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };

  return async (authorizationHeader) => {
    if (authorizationHeader === undefined) return anonymousViewer;
    const header = authorizationHeader.trim();
    if (header === '') return anonymousViewer;

    const match = /^Bearer +([^\s]+)$/i.exec(header);
    if (!match?.[1]) {
      throw new UnauthenticatedError(
        'Invalid Authorization header: expected "Bearer <token>".',
      );
    }
    let payload;
    try {
      const options = currentDateOption();
      // Two calls because jose's overloads take a key or a resolver, not a union.
      ({ payload } =
        typeof key === 'function'
          ? await jwtVerify(match[1], key, { ...verifyOptions, ...options })
          : await jwtVerify(match[1], key, { ...verifyOptions, ...options }));
    } catch (error) {
      throw new UnauthenticatedError(
        `Invalid token: ${describeJwtError(error)}.`,
      );
    }
    const { sub, scope } = payload;
    if (typeof sub !== 'string' || sub === '') {
      throw new UnauthenticatedError('Invalid token: missing sub claim.');
    }
    if (scope !== undefined && typeof scope !== 'string') {
      throw new UnauthenticatedError(
        'Invalid token: the scope claim must be a space-separated string.',
      );
    }
    const scopes = (scope ?? '').split(/\s+/).filter(Boolean);
    return createViewer(sub, scopes, policiesForScopes(scopes));
  };

  function currentDateOption(): { currentDate?: Date } {
    return options.currentDate ? { currentDate: options.currentDate() } : {};
  }
}

function resolveKeySource(
  auth: Config['auth'],
  options: CallerAuthenticatorOptions,
): { key: JWTVerifyGetKey | KeyObject; algorithms: readonly string[] } {
  if (options.jwks) {
    return { key: options.jwks, algorithms: CALLER_TOKEN_ALGORITHMS };
  }
  if (options.publicKey !== undefined) {
    const key =
      typeof options.publicKey === 'string'
        ? createPublicKey(options.publicKey)
        : options.publicKey;
    return { key, algorithms: algorithmsForKey(key, 'options.publicKey') };
  }
  if (auth.jwksUrl) {
    const jwks = createRemoteJWKSet(new URL(auth.jwksUrl), {
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
      timeoutDuration: 5_000,
      ...options.remoteJwksOptions,
    });
    return { key: jwks, algorithms: CALLER_TOKEN_ALGORITHMS };
  }
  if (auth.publicKeyFile) {
    let pem: string;
    try {
      pem = readFileSync(auth.publicKeyFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new Error(
        `Cannot read AUTH_PUBLIC_KEY_FILE ${auth.publicKeyFile} (${code}); run \`npm start\` once to create development keys, or set AUTH_JWKS_URL.`,
        { cause: error },
      );
    }
    const key = createPublicKey(pem);
    return { key, algorithms: algorithmsForKey(key, auth.publicKeyFile) };
  }
  throw new Error(
    'No caller key source: set AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE.',
  );
}

// A single configured key admits exactly the algorithm its type implies, so
// a token cannot pick a weaker algorithm than the key was made for.
function algorithmsForKey(key: KeyObject, source: string): readonly string[] {
  if (key.type !== 'public') {
    throw new Error(`${source} must be a public key, not a ${key.type} key`);
  }
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve !== 'prime256v1' && curve !== 'P-256') {
        throw new Error(`${source}: only P-256 EC keys (ES256) are accepted`);
      }
      return ['ES256'];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      throw new Error(
        `${source}: unsupported key type ${key.asymmetricKeyType ?? 'unknown'}; use RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA)`,
      );
  }
}
