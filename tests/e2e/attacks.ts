/**
 * Attack scenarios against the running graph: forged or broken caller
 * tokens, direct calls to subgraphs, protected entities through `_entities`
 * and through another department's reference. Each is refused, and each
 * refusal leaves a trace (the gateway's audit trail, or the subgraph's log).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signGatewayToken } from '../../lib/runtime/gatewayToken.js';
import { anonymousViewer } from '../../lib/runtime/viewer.js';
import type { CityGraph } from './cityGraph.js';
import { eventually } from './eventually.js';

const ISSUER = 'urn:marseille:e2e-issuer';
const AUDIENCE = 'urn:marseille:city-graph';
const PROTECTED = '{ citizenReports(first: 3) { nodes { id reporterEmail } } }';

const b64 = (value: object) =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

async function signed(
  key: Parameters<SignJWT['sign']>[0],
  alg: string,
  claims: { iss?: string; aud?: string; exp?: number },
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'engagement:pii' })
    .setProtectedHeader({ alg })
    .setSubject('mallory')
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(now - 10)
    .setExpirationTime(claims.exp ?? now + 300)
    .sign(key);
}

/** Registers the attack tests against the running graph returned by `graph()`. */
export function defineAttackScenarios(graph: () => CityGraph): void {
  describe('attacks', () => {
    it('refuses every broken or forged caller token with 401 UNAUTHENTICATED and records each refusal', async () => {
      const g = graph();
      const now = Math.floor(Date.now() / 1000);
      const otherKey = generateKeyPairSync('ed25519').privateKey;
      const publicPem = createPublicKey(g.issuerKey)
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const tokens: Record<string, string> = {
        expired: await signed(g.issuerKey, 'EdDSA', { exp: now - 120 }),
        'wrong issuer': await signed(g.issuerKey, 'EdDSA', {
          iss: 'https://evil.example',
        }),
        'wrong audience': await signed(g.issuerKey, 'EdDSA', {
          aud: 'urn:other-service',
        }),
        'wrong signing key': await signed(otherKey, 'EdDSA', {}),
        'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now + 300, scope: 'engagement:pii' })}.`,
        'HS256 with the public key as secret': await signed(
          new TextEncoder().encode(publicPem),
          'HS256',
          {},
        ),
      };
      const since = new Date(Date.now() - 1000).toISOString();
      for (const [name, token] of Object.entries(tokens)) {
        const response = await g.query(PROTECTED, {}, { token });
        expect(response.status, name).toBe(401);
        expect(response.errors?.[0]?.extensions?.['code'], name).toBe(
          'UNAUTHENTICATED',
        );
        expect(response.data ?? null, name).toBeNull();
        expect(JSON.stringify(response.errors), name).not.toContain(token);
      }
      const auditor = await g.token('auditor-attacks', ['audit:read']);
      const events = await g.query(
        'query($from: DateTime) { auditEvents(filter: { from: $from }, first: 100) { nodes { outcome errorCodes subject } } }',
        { from: since },
        { token: auditor, headers: { 'x-data-purpose': 'audit' } },
      );
      expect(events.errors).toBeUndefined();
      const refused = (
        events.data?.['auditEvents'] as {
          nodes: { outcome: string; errorCodes: string[] }[];
        }
      ).nodes.filter(
        (e) =>
          e.outcome === 'REFUSED' && e.errorCodes.includes('UNAUTHENTICATED'),
      );
      expect(refused.length).toBeGreaterThanOrEqual(Object.keys(tokens).length);
    });

    it('logs every direct call to a subgraph that lacks a valid gateway token', async () => {
      const g = graph();
      const url = `http://127.0.0.1:${g.ports.mobility}/graphql`;
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gateway-token': 'forged.token.value',
        },
        body: JSON.stringify({
          query:
            '{ trafficLights(first: 1) { nodes { signalPlan { name } } } }',
        }),
      });
      expect(response.status).toBe(401);
      await eventually(() =>
        g
          .logs('mobility')
          .some((line) =>
            line.includes('request refused: no valid gateway token'),
          ),
      );
    });

    it('does not expose _entities through the gateway', async () => {
      const response = await graph().query(
        '{ _entities(representations: [{ __typename: "CitizenReport", id: "eng-cr-00001" }]) { ... on CitizenReport { reporterEmail } } }',
      );
      expect(response.errors?.[0]?.extensions?.['code']).toBe(
        'GRAPHQL_VALIDATION_FAILED',
      );
      expect(response.data ?? null).toBeNull();
    });

    it('enforces rules on _entities even for a request the gateway itself signed', async () => {
      const g = graph();
      const key = createPrivateKey(
        await readFile(
          path.join(g.dataDir, 'keys', 'gateway.private.pem'),
          'utf8',
        ),
      );
      const body = JSON.stringify({
        query:
          'query($r: [_Any!]!) { _entities(representations: $r) { ... on CitizenReport { id reporterEmail reporterPhone } } }',
        variables: {
          r: [{ __typename: 'CitizenReport', id: 'eng-cr-00001' }],
        },
      });
      const token = await signGatewayToken(key, {
        viewer: anonymousViewer,
        requestId: 'attack-entities',
        ttlSeconds: 30,
        subgraph: 'engagement',
        body,
      });
      const response = await fetch(
        `http://127.0.0.1:${g.ports.engagement}/graphql`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-gateway-token': token,
          },
          body,
        },
      );
      const result = (await response.json()) as {
        data: { _entities: ({ reporterEmail: unknown } | null)[] };
        errors: { extensions: { code: string } }[];
      };
      for (const entity of result.data._entities)
        expect(entity?.reporterEmail ?? null).toBeNull();
      expect(result.errors.map((e) => e.extensions.code)).toContain(
        'UNAUTHENTICATED',
      );
    });

    it('refuses a gateway token replayed to another subgraph', async () => {
      const g = graph();
      const key = createPrivateKey(
        await readFile(
          path.join(g.dataDir, 'keys', 'gateway.private.pem'),
          'utf8',
        ),
      );
      const body = JSON.stringify({
        query: '{ citizenReports(first: 1) { totalCount } }',
      });
      const forMobility = await signGatewayToken(key, {
        viewer: anonymousViewer,
        requestId: 'attack-replay',
        ttlSeconds: 30,
        subgraph: 'mobility',
        body,
      });
      const response = await fetch(
        `http://127.0.0.1:${g.ports.engagement}/graphql`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-gateway-token': forMobility,
          },
          body,
        },
      );
      expect(response.status).toBe(401);
    });

    it("protects personal data reached through another department's reference", async () => {
      const response = await graph().query(
        '{ trafficLights(first: 64) { nodes { id reports(first: 5) { nodes { id reporterEmail reporterName } } } } }',
      );
      const lights = (
        response.data?.['trafficLights'] as {
          nodes: {
            reports: {
              nodes: {
                id: string;
                reporterEmail: unknown;
                reporterName: unknown;
              }[];
            } | null;
          }[];
        }
      ).nodes;
      const reports = lights.flatMap((l) => l.reports?.nodes ?? []);
      expect(reports.length).toBeGreaterThan(0);
      for (const report of reports) {
        expect(report.reporterEmail).toBeNull();
        expect(report.reporterName).toBeNull();
      }
      expect(response.errors?.map((e) => e.extensions?.['code'])).toContain(
        'UNAUTHENTICATED',
      );
    });
  });
}
