/**
 * The gateway-to-subgraph token. The gateway verifies the caller, then
 * forwards the caller's identity to each subgraph in a short-lived JWT signed
 * with the gateway's OWN Ed25519 key (never the caller's token). A subgraph
 * accepts a request only with a valid one, so calling a subgraph port
 * directly, or forging identity headers, gets nothing.
 *
 * Claims: `iss` {@link GATEWAY_TOKEN_ISSUER}, `aud` {@link gatewayTokenAudience} of the one
 * subgraph it is for (a token sent to mobility is refused by engagement),
 * `sub` (absent for anonymous callers), `scope` (space-separated), `policies`
 * (the names the gateway derived with lib/runtime/roles.ts), `rid` (request id),
 * `bh` (sha256, base64url, of the exact request body it authorizes), `aev`
 * (for writes: the request id of the gateway audit event recorded before
 * the write was sent), `iat`, `exp`, `jti`.
 *
 * A token is bound to one request: the subgraph refuses it for any other
 * body (`bh`) and refuses it the second time (`jti`, remembered in a
 * {@link ReplayStore} until `exp`), so a token captured in transit buys
 * nothing. Tokens are therefore signed per subgraph fetch and never cached.
 *
 * Signing is synchronous, with node:crypto's Ed25519 (`crypto.sign`): the
 * same compact JWS that jose's `SignJWT` makes (verified with jose below),
 * without WebCrypto's asynchronous job and buffer copies, which cost about a
 * tenth of the gateway's time when every fetch signed through it
 * (docs/performance.md).
 */
import {
  createHash,
  randomUUID,
  createPrivateKey,
  createPublicKey,
  sign,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { jwtVerify } from 'jose';
import { UnauthenticatedError } from './errors.js';
import { createViewer, withPurpose, type Viewer } from './viewer.js';
import { describeJwtError } from './describeJwtError.js';
import type { ReplayStore } from './replayStore.js';

/** The HTTP header carrying the gateway token from the gateway to subgraphs. */
export const GATEWAY_TOKEN_HEADER = 'x-gateway-token';
/** The fixed `iss` of gateway tokens. */
export const GATEWAY_TOKEN_ISSUER = 'urn:marseille:gateway';

/**
 * The `aud` of a gateway token for one subgraph: each token is good for the
 * subgraph it was sent to only, so one captured in transit cannot be replayed
 * against another department.
 */
export function gatewayTokenAudience(subgraph: string): string {
  return `urn:marseille:subgraph:${subgraph}`;
}

/** The JOSE `typ` header of gateway tokens, so no other JWT can pass for one. */
export const GATEWAY_TOKEN_TYPE = 'gateway+jwt';

// The only algorithm accepted: pinning it refuses `alg: none` and HMAC
// tokens "signed" with the public key (RFC 8725 §3.1).
const ALGORITHMS = ['EdDSA'];

/** What the gateway signs for one subgraph request. */
export interface GatewayTokenInput {
  /** The verified caller. */
  readonly viewer: Viewer;
  /** The gateway's request id, so subgraph logs join the audit trail. */
  readonly requestId: string;
  /** Lifetime of the token in seconds (`config.gatewayToken.ttlSeconds`). */
  readonly ttlSeconds: number;
  /** The subgraph the token is sent to (its name in supergraph.yaml). */
  readonly subgraph: string;
  /** The exact HTTP body of the subgraph request the token authorizes. */
  readonly body: string;
  /**
   * For a write: the request id under which the gateway recorded the audit
   * event before sending it. Subgraphs refuse mutations without it.
   */
  readonly auditEvent?: string;
}

/** What a subgraph learns from a valid gateway token. */
export interface GatewayTokenPayload {
  /** The caller, as the gateway verified it. */
  readonly viewer: Viewer;
  /** The gateway's request id. */
  readonly requestId: string;
  /** The gateway audit event recorded before this request (writes), or null. */
  readonly auditEvent: string | null;
}

/** Options of {@link verifyGatewayToken}. */
export interface VerifyGatewayTokenOptions {
  /** The verifying subgraph's own name: tokens for other subgraphs are refused. */
  readonly subgraph: string;
  /** The HTTP body the token came with: a token made for another body is refused. */
  readonly body: string;
  /** Where used token ids are remembered: a token is accepted once. */
  readonly replay: ReplayStore;
  /**
   * Allowed clock skew between gateway and subgraph, in seconds.
   * @default 5
   */
  readonly clockToleranceSeconds?: number;
  /**
   * The time to verify against (tests).
   * @default new Date()
   */
  readonly currentDate?: Date;
}

/** The protected header of every gateway token, encoded once (RFC 7515 §7.1). */
const ENCODED_HEADER = Buffer.from(
  JSON.stringify({ alg: 'EdDSA', typ: GATEWAY_TOKEN_TYPE }),
).toString('base64url');

/**
 * Signs the gateway token for one request with the gateway's private key,
 * synchronously (see the module comment).
 * @throws Error when `key` is not an Ed25519 private key.
 */
export function signGatewayTokenSync(
  key: KeyObject,
  input: GatewayTokenInput,
): string {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    // crypto.sign(null, ...) would sign with whatever the key is (RSA with
    // SHA-256, ...) under an EdDSA header: refuse instead.
    throw new TypeError(
      'Gateway tokens are signed with an Ed25519 private key.',
    );
  }
  const { viewer, requestId, ttlSeconds, subgraph } = input;
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    scope: [...viewer.scopes].join(' '),
    policies: [...viewer.policies],
    rid: requestId,
    bh: bodyHash(input.body),
    ...(input.auditEvent === undefined ? {} : { aev: input.auditEvent }),
    iss: GATEWAY_TOKEN_ISSUER,
    aud: gatewayTokenAudience(subgraph),
    iat: now,
    exp: now + ttlSeconds,
    jti: randomUUID(),
    ...(viewer.subject === null ? {} : { sub: viewer.subject }),
    // The purpose the caller declared (personal data needs one).
    ...(viewer.purpose ? { pur: viewer.purpose } : {}),
  };
  const signingInput = `${ENCODED_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign(null, Buffer.from(signingInput), key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Signs the gateway token for one request with the gateway's private key
 * ({@link signGatewayTokenSync}, for callers that await).
 */
export async function signGatewayToken(
  key: KeyObject,
  input: GatewayTokenInput,
): Promise<string> {
  return signGatewayTokenSync(key, input);
}

/** sha256 (base64url) of a request body, as carried in the `bh` claim. */
export function bodyHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('base64url');
}

// The WebCrypto form of each verification key, imported once: jose would
// convert the KeyObject on every verification (about a tenth of its cost,
// docs/performance.md). Same key, same checks.
const cryptoKeys = new WeakMap<KeyObject, Promise<webcrypto.CryptoKey>>();
function cryptoKeyOf(
  publicKey: KeyObject,
): Promise<webcrypto.CryptoKey> | KeyObject {
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519')
    return publicKey; // jose refuses it with its own error, as before
  let key = cryptoKeys.get(publicKey);
  if (!key) {
    key = webcrypto.subtle.importKey(
      'spki',
      publicKey.export({ type: 'spki', format: 'der' }),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    // A failed import is not kept: the next verification tries again.
    key.catch(() => cryptoKeys.delete(publicKey));
    cryptoKeys.set(publicKey, key);
  }
  return key;
}

/**
 * Verifies a gateway token (the value of the {@link GATEWAY_TOKEN_HEADER}
 * header) for the request body it came with, claims its `jti` (a token is
 * good once) and returns the caller it carries.
 * @throws UnauthenticatedError when the token is missing, expired, signed by
 *   another key or algorithm, has the wrong issuer, audience or type, was
 *   made for another body, or was already used.
 * @throws Error when the replay store cannot be reached (fail closed).
 */
export async function verifyGatewayToken(
  publicKey: KeyObject,
  token: string | null | undefined,
  options: VerifyGatewayTokenOptions,
): Promise<GatewayTokenPayload> {
  if (token === undefined || token === null || token.trim() === '') {
    throw new UnauthenticatedError(
      'Missing gateway token: subgraphs answer only requests from the gateway.',
    );
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(token.trim(), await cryptoKeyOf(publicKey), {
      algorithms: ALGORITHMS,
      issuer: GATEWAY_TOKEN_ISSUER,
      audience: gatewayTokenAudience(options.subgraph),
      typ: GATEWAY_TOKEN_TYPE,
      requiredClaims: ['exp', 'iat', 'rid', 'bh', 'jti'],
      clockTolerance: options.clockToleranceSeconds ?? 5,
      ...(options.currentDate ? { currentDate: options.currentDate } : {}),
    }));
  } catch (error) {
    throw new UnauthenticatedError(
      `Invalid gateway token: ${describeJwtError(error)}.`,
    );
  }
  const { sub, scope, policies, rid, bh, jti, aev, exp, pur } = payload;
  if (
    typeof rid !== 'string' ||
    rid === '' ||
    typeof bh !== 'string' ||
    typeof jti !== 'string' ||
    jti === '' ||
    typeof exp !== 'number' ||
    (aev !== undefined && typeof aev !== 'string') ||
    (pur !== undefined && typeof pur !== 'string') ||
    (sub !== undefined && typeof sub !== 'string') ||
    (scope !== undefined && typeof scope !== 'string') ||
    (policies !== undefined &&
      !(
        Array.isArray(policies) &&
        policies.every((name) => typeof name === 'string')
      ))
  ) {
    throw new UnauthenticatedError('Invalid gateway token: malformed claims.');
  }
  if (bh !== bodyHash(options.body)) {
    throw new UnauthenticatedError(
      'Invalid gateway token: made for another request.',
    );
  }
  // Claimed last, so a token refused for another reason is not burnt.
  const tolerance = options.clockToleranceSeconds ?? 5;
  if (!(await options.replay.claim(jti, (exp + tolerance) * 1000))) {
    throw new UnauthenticatedError('Invalid gateway token: already used.');
  }
  return {
    viewer: withPurpose(
      createViewer(sub ?? null, scope ?? '', policies ?? []),
      pur ?? null,
    ),
    requestId: rid,
    auditEvent: aev ?? null,
  };
}

/**
 * Loads the gateway's Ed25519 private key (PKCS#8 PEM), used by the gateway
 * to sign gateway tokens.
 * @throws Error when the file is missing or does not hold an Ed25519 private key.
 */
export async function loadGatewaySigningKey(file: string): Promise<KeyObject> {
  const key = createPrivateKey(await readPem(file));
  assertEd25519(key, file);
  return key;
}

/**
 * Loads the gateway's Ed25519 public key (SPKI PEM), used by subgraphs to
 * verify gateway tokens.
 * @throws Error when the file is missing or does not hold an Ed25519 public key.
 */
export async function loadGatewayVerifyKey(file: string): Promise<KeyObject> {
  const key = createPublicKey(await readPem(file));
  if (key.type !== 'public') {
    throw new Error(`${file} must hold a public key, not a ${key.type} key`);
  }
  assertEd25519(key, file);
  return key;
}

async function readPem(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new Error(
      `Cannot read the gateway token key ${file} (${code}); run \`npm start\` once to create development keys, or set GATEWAY_TOKEN_*_KEY_FILE.`,
      { cause: error },
    );
  }
}

function assertEd25519(key: KeyObject, file: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `${file} must hold an Ed25519 key, got ${key.asymmetricKeyType ?? 'a symmetric key'}`,
    );
  }
}
