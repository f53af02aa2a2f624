import { generateKeyPairSync, sign } from 'node:crypto';
import { jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { describeJwtError } from '../../runtime/describeJwtError.js';
import {
  gatewayTokenAudience,
  GATEWAY_TOKEN_ISSUER,
  GATEWAY_TOKEN_TYPE,
  verifyJwtSync,
} from '../../runtime/gatewayToken.js';

const gateway = generateKeyPairSync('ed25519');
const attacker = generateKeyPairSync('ed25519');
const AUDIENCE = gatewayTokenAudience('mobility');
const OPTIONS = {
  algorithms: ['EdDSA'],
  issuer: GATEWAY_TOKEN_ISSUER,
  audience: AUDIENCE,
  typ: GATEWAY_TOKEN_TYPE,
  requiredClaims: ['exp', 'iat', 'rid', 'bh', 'jti'],
  clockTolerance: 5,
};
const now = Math.floor(Date.now() / 1000);
const CLAIMS = {
  iss: GATEWAY_TOKEN_ISSUER,
  aud: AUDIENCE,
  iat: now,
  exp: now + 60,
  rid: 'r',
  bh: 'h',
  jti: 'j',
};

const b64 = (value: unknown) =>
  Buffer.from(
    typeof value === 'string' ? value : JSON.stringify(value),
  ).toString('base64url');

/** A compact JWS of any header and payload, signed with Ed25519. */
function raw(
  header: unknown,
  payload: unknown,
  key = gateway.privateKey,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

const HEADER = { alg: 'EdDSA', typ: GATEWAY_TOKEN_TYPE };
const without = (claim: keyof typeof CLAIMS) => {
  const { [claim]: _dropped, ...rest } = CLAIMS;
  return rest;
};

async function cases(): Promise<[string, string][]> {
  const valid = raw(HEADER, CLAIMS);
  const [h, p] = valid.split('.');
  return [
    ['valid', valid],
    [
      'valid, typ in another case',
      raw({ ...HEADER, typ: 'GATEWAY+JWT' }, CLAIMS),
    ],
    [
      'valid, typ with application/',
      raw({ ...HEADER, typ: `application/${GATEWAY_TOKEN_TYPE}` }, CLAIMS),
    ],
    [
      'valid, audience in an array',
      raw(HEADER, { ...CLAIMS, aud: ['x', AUDIENCE] }),
    ],
    [
      'valid, expired within the tolerance',
      raw(HEADER, { ...CLAIMS, exp: now - 2 }),
    ],
    [
      'valid, nbf within the tolerance',
      raw(HEADER, { ...CLAIMS, nbf: now + 3 }),
    ],
    [
      'valid, jose-signed',
      await new SignJWT({ rid: 'r', bh: 'h' })
        .setProtectedHeader(HEADER)
        .setIssuer(GATEWAY_TOKEN_ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1m')
        .setJti('j')
        .sign(gateway.privateKey),
    ],
    ['another key', raw(HEADER, CLAIMS, attacker.privateKey)],
    [
      'payload swapped',
      `${h}.${b64({ ...CLAIMS, rid: 'other' })}.${valid.split('.')[2]}`,
    ],
    ['signature truncated', valid.slice(0, -4)],
    ['signature empty', `${h}.${p}.`],
    ['two parts', `${h}.${p}`],
    ['four parts', `${valid}.x`],
    ['garbage', 'garbage'],
    ['header not JSON', raw('nope', CLAIMS)],
    ['header an array', raw([HEADER], CLAIMS)],
    ['payload not JSON', raw(HEADER, 'nope')],
    ['payload an array', raw(HEADER, [CLAIMS])],
    ['payload null', raw(HEADER, 'null')],
    ['alg none', new UnsecuredJWT(CLAIMS).encode()],
    ['alg HS256', raw({ ...HEADER, alg: 'HS256' }, CLAIMS)],
    ['alg missing', raw({ typ: GATEWAY_TOKEN_TYPE }, CLAIMS)],
    ['alg empty', raw({ ...HEADER, alg: '' }, CLAIMS)],
    ['alg ES256', raw({ ...HEADER, alg: 'ES256' }, CLAIMS)],
    ['typ JWT', raw({ ...HEADER, typ: 'JWT' }, CLAIMS)],
    ['typ missing', raw({ alg: 'EdDSA' }, CLAIMS)],
    ['typ a number', raw({ ...HEADER, typ: 1 }, CLAIMS)],
    ['wrong issuer', raw(HEADER, { ...CLAIMS, iss: 'urn:x' })],
    [
      'wrong audience',
      raw(HEADER, { ...CLAIMS, aud: gatewayTokenAudience('engagement') }),
    ],
    ['audience array without ours', raw(HEADER, { ...CLAIMS, aud: ['x'] })],
    ['audience a number', raw(HEADER, { ...CLAIMS, aud: 1 })],
    ['missing iss', raw(HEADER, without('iss'))],
    ['missing aud', raw(HEADER, without('aud'))],
    ['missing exp', raw(HEADER, without('exp'))],
    ['missing iat', raw(HEADER, without('iat'))],
    ['missing rid', raw(HEADER, without('rid'))],
    ['missing bh', raw(HEADER, without('bh'))],
    ['missing jti', raw(HEADER, without('jti'))],
    ['expired', raw(HEADER, { ...CLAIMS, exp: now - 10 })],
    ['exp a string', raw(HEADER, { ...CLAIMS, exp: String(now + 60) })],
    ['iat a string', raw(HEADER, { ...CLAIMS, iat: 'now' })],
    ['not yet valid', raw(HEADER, { ...CLAIMS, nbf: now + 60 })],
    ['nbf a string', raw(HEADER, { ...CLAIMS, nbf: 'later' })],
  ];
}

/** What a verifier made of a token: the claims, or the reason clients see. */
async function outcome(verify: () => unknown): Promise<unknown> {
  try {
    return { claims: await verify() };
  } catch (error) {
    return { refused: describeJwtError(error) };
  }
}

describe('verifyJwtSync', () => {
  it('accepts and refuses exactly what jose jwtVerify does, for the same reason', async () => {
    for (const [name, token] of await cases()) {
      const byJose = await outcome(
        async () =>
          (await jwtVerify(token, gateway.publicKey, OPTIONS)).payload,
      );
      const bySync = await outcome(() =>
        verifyJwtSync(token, gateway.publicKey, OPTIONS),
      );
      expect({ name, outcome: bySync }).toEqual({ name, outcome: byJose });
    }
  });

  it('accepts the valid ones', async () => {
    const accepted = [];
    for (const [name, token] of await cases()) {
      try {
        verifyJwtSync(token, gateway.publicKey, OPTIONS);
        accepted.push(name);
      } catch {
        // refused
      }
    }
    expect(accepted).toEqual([
      'valid',
      'valid, typ in another case',
      'valid, typ with application/',
      'valid, audience in an array',
      'valid, expired within the tolerance',
      'valid, nbf within the tolerance',
      'valid, jose-signed',
    ]);
  });

  it('checks time against currentDate with the tolerance', () => {
    const token = raw(HEADER, CLAIMS);
    const at = (seconds: number) => new Date((now + seconds) * 1000);
    expect(() =>
      verifyJwtSync(token, gateway.publicKey, {
        ...OPTIONS,
        currentDate: at(64),
      }),
    ).not.toThrow();
    expect(() =>
      verifyJwtSync(token, gateway.publicKey, {
        ...OPTIONS,
        currentDate: at(65),
      }),
    ).toThrow(/"exp" claim timestamp check failed/);
  });

  it('refuses a crit header (never sent by the gateway)', () => {
    const token = raw({ ...HEADER, crit: ['b64'], b64: true }, CLAIMS);
    expect(() => verifyJwtSync(token, gateway.publicKey, OPTIONS)).toThrow(
      /Extension Header Parameters/,
    );
  });

  it('refuses a key that is not an Ed25519 public key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() =>
      verifyJwtSync(raw(HEADER, CLAIMS), rsa.publicKey, OPTIONS),
    ).toThrow(TypeError);
    expect(() =>
      verifyJwtSync(raw(HEADER, CLAIMS), gateway.privateKey, OPTIONS),
    ).toThrow(TypeError);
  });
});
