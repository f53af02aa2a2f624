import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../runtime/errors.js';
import {
  gatewayTokenAudience,
  GATEWAY_TOKEN_ISSUER,
  GATEWAY_TOKEN_TYPE,
  signGatewayToken,
  signGatewayTokenSync,
  verifyGatewayToken,
} from '../../runtime/gatewayToken.js';
import { createMemoryReplayStore } from '../../runtime/replayStore.js';
import {
  anonymousViewer,
  createViewer,
  withPurpose,
} from '../../runtime/viewer.js';

const gateway = generateKeyPairSync('ed25519');
const attacker = generateKeyPairSync('ed25519');
const BODY = '{"query":"{ trafficLights(first: 1) { nodes { id } } }"}';
const viewer = createViewer('auditor-01', 'audit:read', ['auditor']);

async function refusal(
  token: string | undefined,
  options = {},
): Promise<Error> {
  const error = await verifyGatewayToken(gateway.publicKey, token, {
    subgraph: 'mobility',
    body: BODY,
    replay: createMemoryReplayStore(),
    ...options,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return error as Error;
}

describe('gatewayToken', () => {
  it('round-trips the viewer and the request id', async () => {
    const token = await signGatewayToken(gateway.privateKey, {
      viewer,
      requestId: 'req-1',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
    });
    const payload = await verifyGatewayToken(gateway.publicKey, token, {
      subgraph: 'mobility',
      body: BODY,
      replay: createMemoryReplayStore(),
    });
    expect(payload.requestId).toBe('req-1');
    expect(payload.viewer.subject).toBe('auditor-01');
    expect([...payload.viewer.scopes]).toEqual(['audit:read']);
    expect([...payload.viewer.policies]).toEqual(['auditor']);
  });

  it('binds a token signed over the bytes of a body to the same body as text', async () => {
    const body = '{"entities":[{"id":"urn:ngsi-ld:Device:mob-é"}]}';
    const token = await signGatewayToken(gateway.privateKey, {
      viewer,
      requestId: 'req-bytes',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: Buffer.from(body, 'utf8'),
    });
    const payload = await verifyGatewayToken(gateway.publicKey, token, {
      subgraph: 'mobility',
      body,
      replay: createMemoryReplayStore(),
    });
    expect(payload.requestId).toBe('req-bytes');
    await refusal(token, { body: `${body} ` });
  });

  it('carries the purpose the caller declared, and none when none was', async () => {
    const body = '{"query":"{ a }"}';
    const declared = withPurpose(
      createViewer('agent-01', ['engagement:pii']),
      'report-follow-up',
    );
    for (const [caller, purpose] of [
      [declared, 'report-follow-up'],
      [createViewer('agent-01', ['engagement:pii']), null],
    ] as const) {
      const token = signGatewayTokenSync(gateway.privateKey, {
        viewer: caller,
        requestId: 'req-p',
        ttlSeconds: 60,
        subgraph: 'engagement',
        body,
      });
      const verified = await verifyGatewayToken(gateway.publicKey, token, {
        subgraph: 'engagement',
        body,
        replay: createMemoryReplayStore(),
      });
      expect(verified.viewer.purpose ?? null).toBe(purpose);
    }
  });

  it('carries the anonymous viewer as a token without subject', async () => {
    const token = await signGatewayToken(gateway.privateKey, {
      viewer: anonymousViewer,
      requestId: 'req-2',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
    });
    const payload = await verifyGatewayToken(gateway.publicKey, token, {
      subgraph: 'mobility',
      body: BODY,
      replay: createMemoryReplayStore(),
    });
    expect(payload.viewer.subject).toBeNull();
    expect(payload.viewer.scopes.size).toBe(0);
  });

  it('refuses a missing token', async () => {
    expect((await refusal(undefined)).message).toMatch(/Missing gateway token/);
    expect((await refusal('')).message).toMatch(/Missing gateway token/);
  });

  it('refuses a token forged with another key', async () => {
    const token = await signGatewayToken(attacker.privateKey, {
      viewer,
      requestId: 'req-3',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
    });
    expect((await refusal(token)).message).toBe(
      'Invalid gateway token: signature verification failed.',
    );
  });

  it('refuses an expired token', async () => {
    const token = await signGatewayToken(gateway.privateKey, {
      viewer,
      requestId: 'req-4',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
    });
    const later = new Date(Date.now() + 120_000);
    expect((await refusal(token, { currentDate: later })).message).toBe(
      'Invalid gateway token: expired.',
    );
  });

  it('refuses alg: none', async () => {
    const token = new UnsecuredJWT({ rid: 'r', scope: 'audit:read' })
      .setIssuer(GATEWAY_TOKEN_ISSUER)
      .setAudience(gatewayTokenAudience('mobility'))
      .setIssuedAt()
      .setExpirationTime('1m')
      .encode();
    expect((await refusal(token)).message).toMatch(/algorithm not allowed/);
  });

  it('refuses HS256 signed with the gateway public key PEM', async () => {
    const pem = gateway.publicKey.export({
      type: 'spki',
      format: 'pem',
    }) as string;
    const token = await new SignJWT({ rid: 'r', scope: 'audit:read' })
      .setProtectedHeader({ alg: 'HS256', typ: GATEWAY_TOKEN_TYPE })
      .setIssuer(GATEWAY_TOKEN_ISSUER)
      .setAudience(gatewayTokenAudience('mobility'))
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(pem));
    expect((await refusal(token)).message).toMatch(/algorithm not allowed/);
  });

  it('refuses a token with the wrong issuer, audience or type', async () => {
    const base = () =>
      new SignJWT({ rid: 'r', bh: 'x' })
        .setJti('j')
        .setIssuedAt()
        .setExpirationTime('1m');
    const wrongIssuer = await base()
      .setProtectedHeader({ alg: 'EdDSA', typ: GATEWAY_TOKEN_TYPE })
      .setIssuer('urn:marseille:dev-issuer')
      .setAudience(gatewayTokenAudience('mobility'))
      .sign(gateway.privateKey);
    expect((await refusal(wrongIssuer)).message).toMatch(/wrong issuer/);
    const wrongAudience = await base()
      .setProtectedHeader({ alg: 'EdDSA', typ: GATEWAY_TOKEN_TYPE })
      .setIssuer(GATEWAY_TOKEN_ISSUER)
      .setAudience('urn:marseille:city-graph')
      .sign(gateway.privateKey);
    expect((await refusal(wrongAudience)).message).toMatch(/wrong audience/);
    const wrongType = await base()
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setIssuer(GATEWAY_TOKEN_ISSUER)
      .setAudience(gatewayTokenAudience('mobility'))
      .sign(gateway.privateKey);
    expect((await refusal(wrongType)).message).toMatch(/wrong token type/);
  });

  it('refuses a token without request id or with malformed claims', async () => {
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ: GATEWAY_TOKEN_TYPE })
        .setIssuer(GATEWAY_TOKEN_ISSUER)
        .setAudience(gatewayTokenAudience('mobility'))
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(gateway.privateKey);
    expect((await refusal(await sign({ bh: 'x', jti: 'j' }))).message).toMatch(
      /missing rid claim/,
    );
    expect((await refusal(await sign({ rid: 'r', jti: 'j' }))).message).toMatch(
      /missing bh claim/,
    );
    expect((await refusal(await sign({ rid: 'r', bh: 'x' }))).message).toMatch(
      /missing jti claim/,
    );
    expect(
      (
        await refusal(
          await sign({ rid: 'r', bh: 'x', jti: 'j', policies: 'auditor' }),
        )
      ).message,
    ).toMatch(/malformed claims/);
  });

  it('refuses garbage', async () => {
    expect((await refusal('garbage')).message).toMatch(/malformed/);
  });

  it('refuses a token made for another subgraph', async () => {
    const token = await signGatewayToken(gateway.privateKey, {
      viewer,
      requestId: 'req-replay',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
    });
    expect((await refusal(token, { subgraph: 'engagement' })).message).toMatch(
      /Invalid gateway token/,
    );
  });

  it('refuses a token sent with another body than the one it was made for', async () => {
    const token = await signGatewayToken(gateway.privateKey, {
      viewer,
      requestId: 'req-body',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
    });
    const other =
      '{"query":"mutation { setSignalPlan(lightId: \\"x\\") { id } }"}';
    expect((await refusal(token, { body: other })).message).toBe(
      'Invalid gateway token: made for another request.',
    );
  });

  it('accepts a token once: a replay is refused, even with the same body', async () => {
    const replay = createMemoryReplayStore();
    const token = await signGatewayToken(gateway.privateKey, {
      viewer,
      requestId: 'req-once',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
      auditEvent: 'req-once',
    });
    const options = { subgraph: 'mobility', body: BODY, replay };
    const first = await verifyGatewayToken(gateway.publicKey, token, options);
    expect(first.auditEvent).toBe('req-once');
    expect((await refusal(token, { replay })).message).toBe(
      'Invalid gateway token: already used.',
    );
  });

  it('does not burn a token that was refused for another reason', async () => {
    const replay = createMemoryReplayStore();
    const token = await signGatewayToken(gateway.privateKey, {
      viewer,
      requestId: 'req-burn',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
    });
    await refusal(token, { replay, body: '{}' });
    const payload = await verifyGatewayToken(gateway.publicKey, token, {
      subgraph: 'mobility',
      body: BODY,
      replay,
    });
    expect(payload.requestId).toBe('req-burn');
  });

  it('signs synchronously the compact JWS jose makes: EdDSA, gateway+jwt, every claim, a fresh jti', () => {
    const input = {
      viewer,
      requestId: 'req-sync',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
      auditEvent: 'req-sync',
    };
    const before = Math.floor(Date.now() / 1000);
    const token = signGatewayTokenSync(gateway.privateKey, input);
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'EdDSA',
      typ: GATEWAY_TOKEN_TYPE,
    });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: GATEWAY_TOKEN_ISSUER,
      aud: gatewayTokenAudience('mobility'),
      sub: 'auditor-01',
      scope: 'audit:read',
      policies: ['auditor'],
      rid: 'req-sync',
      aev: 'req-sync',
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe((claims.iat ?? 0) + 60);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      decodeJwt(signGatewayTokenSync(gateway.privateKey, input)).jti,
    ).not.toBe(claims.jti);
    // No subject claim at all for an anonymous caller.
    expect(
      decodeJwt(
        signGatewayTokenSync(gateway.privateKey, {
          ...input,
          viewer: anonymousViewer,
        }),
      ),
    ).not.toHaveProperty('sub');
  });

  it('refuses to sign with anything but an Ed25519 private key', () => {
    const input = {
      viewer,
      requestId: 'req-rsa',
      ttlSeconds: 60,
      subgraph: 'mobility',
      body: BODY,
    };
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => signGatewayTokenSync(rsa.privateKey, input)).toThrow(
      /Ed25519 private key/,
    );
    expect(() => signGatewayTokenSync(gateway.publicKey, input)).toThrow(
      /Ed25519 private key/,
    );
  });
});
