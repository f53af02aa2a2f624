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
 * Signing and verification are synchronous, with node:crypto's Ed25519
 * (`crypto.sign`, `crypto.verify`): the same compact JWS that jose's
 * `SignJWT` makes, checked as jose's `jwtVerify` checks it
 * ({@link verifyJwtSync}), without WebCrypto's asynchronous job and buffer
 * copies, which cost about a tenth of the gateway's time when every fetch
 * signed through it, and about half of each subgraph's verification
 * (docs/performance.md).
 */
import {
  createHash,
  randomUUID,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { errors, type JWTPayload } from 'jose';
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
// Claims every gateway token carries (besides `iss` and `aud`).
const REQUIRED_CLAIMS = ['exp', 'iat', 'rid', 'bh', 'jti'];

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
  /**
   * The exact HTTP body of the subgraph request the token authorizes (its
   * bytes, when the caller sends bytes: hashed as they are, not encoded again).
   */
  readonly body: string | Uint8Array;
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
export function bodyHash(body: string | Uint8Array): string {
  const hash = createHash('sha256');
  return (
    typeof body === 'string' ? hash.update(body, 'utf8') : hash.update(body)
  ).digest('base64url');
}

/** Options of {@link verifyJwtSync}: jose's `jwtVerify` options this module uses. */
export interface VerifyJwtSyncOptions {
  /** Accepted `alg` header values. */
  readonly algorithms: readonly string[];
  /** The only accepted `iss`. */
  readonly issuer: string;
  /** The `aud` that must be the claim or one of its members. */
  readonly audience: string;
  /** The `typ` header, compared as jose does (case-insensitive, `application/` implied). */
  readonly typ: string;
  /** Claims that must be present (besides `iss` and `aud`). */
  readonly requiredClaims: readonly string[];
  /** Allowed clock skew in seconds for `exp` and `nbf`. */
  readonly clockTolerance: number;
  /**
   * The time to verify against.
   * @default new Date()
   */
  readonly currentDate?: Date;
}

const BASE64URL = /^[\w-]*$/;

function normalizeTyp(value: string): string {
  const lower = value.toLowerCase();
  return value.includes('/') ? lower : `application/${lower}`;
}

function parseJsonObject(
  encoded: string,
  invalid: () => Error,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    if (!BASE64URL.test(encoded)) throw invalid();
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch (cause) {
    throw Object.assign(invalid(), { cause });
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    Object.getPrototypeOf(parsed) !== Object.prototype
  )
    throw invalid();
  return parsed as Record<string, unknown>;
}

/**
 * Verifies a compact JWS JWT signed with Ed25519 synchronously, with
 * node:crypto's `verify` on the key object: the checks of jose's `jwtVerify`
 * for the options this module passes, in jose's order and with jose's error
 * classes (so {@link describeJwtError} reads them the same), without
 * WebCrypto's asynchronous job, which made jose's verification about twice
 * the Ed25519 arithmetic itself (docs/performance.md). Stricter than jose in
 * one point: any `crit` header is refused (jose accepts `b64: true`); the
 * gateway never sends one.
 * @returns the verified claims set.
 * @throws jose's `errors.*` (JWSInvalid, JOSEAlgNotAllowed,
 *   JWSSignatureVerificationFailed, JWTInvalid, JWTClaimValidationFailed,
 *   JWTExpired); TypeError when `key` is not an Ed25519 public key.
 */
export function verifyJwtSync(
  token: string,
  key: KeyObject,
  options: VerifyJwtSyncOptions,
): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new errors.JWSInvalid('Invalid Compact JWS');
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] =
    parts;
  const header = parseJsonObject(
    encodedHeader,
    () => new errors.JWSInvalid('JWS Protected Header is invalid'),
  );
  if (header['crit'] !== undefined)
    throw new errors.JWSInvalid('Extension Header Parameters are not accepted');
  const alg = header['alg'];
  if (typeof alg !== 'string' || alg === '')
    throw new errors.JWSInvalid(
      'JWS "alg" (Algorithm) Header Parameter missing or invalid',
    );
  if (!options.algorithms.includes(alg))
    throw new errors.JOSEAlgNotAllowed(
      '"alg" (Algorithm) Header Parameter value not allowed',
    );
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519')
    throw new TypeError(
      'Gateway tokens are verified with an Ed25519 public key.',
    );
  if (!BASE64URL.test(encodedPayload) || !BASE64URL.test(encodedSignature))
    throw new errors.JWSInvalid('The JWS is not valid base64url');
  let verified: boolean;
  try {
    verified = verify(
      null,
      Buffer.from(`${encodedHeader}.${encodedPayload}`, 'latin1'),
      key,
      Buffer.from(encodedSignature, 'base64url'),
    );
  } catch (cause) {
    throw new errors.JWSSignatureVerificationFailed(undefined, { cause });
  }
  if (!verified) throw new errors.JWSSignatureVerificationFailed();

  const claims = parseJsonObject(
    encodedPayload,
    () =>
      new errors.JWTInvalid('JWT Claims Set must be a top-level JSON object'),
  );
  const payload = claims as JWTPayload;
  const typ = header['typ'];
  if (
    typeof typ !== 'string' ||
    normalizeTyp(typ) !== normalizeTyp(options.typ)
  )
    throw new errors.JWTClaimValidationFailed(
      'unexpected "typ" JWT header value',
      payload,
      'typ',
      'check_failed',
    );
  // jose's presence order: iss, aud, then the required claims in reverse.
  for (const claim of new Set(
    [...options.requiredClaims, 'aud', 'iss'].reverse(),
  ))
    if (!Object.hasOwn(claims, claim))
      throw new errors.JWTClaimValidationFailed(
        `missing required "${claim}" claim`,
        payload,
        claim,
        'missing',
      );
  const unexpected = (claim: string) =>
    new errors.JWTClaimValidationFailed(
      `unexpected "${claim}" claim value`,
      payload,
      claim,
      'check_failed',
    );
  if (claims['iss'] !== options.issuer) throw unexpected('iss');
  const aud = claims['aud'];
  if (
    !(typeof aud === 'string'
      ? aud === options.audience
      : Array.isArray(aud) && aud.includes(options.audience))
  )
    throw unexpected('aud');
  const numericDate = (claim: string): number | undefined => {
    const value = claims[claim];
    if (value === undefined) return undefined;
    if (typeof value !== 'number')
      throw new errors.JWTClaimValidationFailed(
        `"${claim}" claim must be a number`,
        payload,
        claim,
        'invalid',
      );
    return value;
  };
  const tolerance = options.clockTolerance;
  const now = Math.floor((options.currentDate ?? new Date()).getTime() / 1000);
  numericDate('iat');
  const nbf = numericDate('nbf');
  if (nbf !== undefined && nbf > now + tolerance)
    throw new errors.JWTClaimValidationFailed(
      '"nbf" claim timestamp check failed',
      payload,
      'nbf',
      'check_failed',
    );
  const exp = numericDate('exp');
  if (exp !== undefined && exp <= now - tolerance)
    throw new errors.JWTExpired(
      '"exp" claim timestamp check failed',
      payload,
      'exp',
      'check_failed',
    );
  return claims;
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
    payload = verifyJwtSync(token.trim(), publicKey, {
      algorithms: ALGORITHMS,
      issuer: GATEWAY_TOKEN_ISSUER,
      audience: gatewayTokenAudience(options.subgraph),
      typ: GATEWAY_TOKEN_TYPE,
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: options.clockToleranceSeconds ?? 5,
      ...(options.currentDate ? { currentDate: options.currentDate } : {}),
    });
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
