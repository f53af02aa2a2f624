/**
 * The outside probe of issue 9, replayed against the running graph: one
 * test per numbered finding, each reproducing what the probe did (a hung
 * department frozen with SIGSTOP, a replayed gateway token, a membership
 * oracle, cheap attacks, a department down under the district queries,
 * bad input, unaudited refusals, stack traces from direct calls) and
 * checking the fix. What attacks.ts already covers (forged caller tokens,
 * tokens replayed to another subgraph, `_entities`) is not repeated here.
 *
 * Order matters: the scenarios that freeze a service come last and wait
 * until it answers again.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPARTMENTS } from '../../lib/runtime/config.js';
import { signGatewayToken } from '../../lib/runtime/gatewayToken.js';
import { createViewer } from '../../lib/runtime/viewer.js';
import type { CityGraph, GraphQLResponse } from './cityGraph.js';
import { eventually } from './eventually.js';

/** What must never reach a client: addresses, file paths, stack frames. */
const LEAK =
  /127\.0\.0\.1|localhost:\d|\/work\/|node_modules|\.ts:\d+|\bat \w+ \(|stacktrace/;

async function gatewayKey(graph: CityGraph): Promise<KeyObject> {
  return createPrivateKey(
    await readFile(
      path.join(graph.dataDir, 'keys', 'gateway.private.pem'),
      'utf8',
    ),
  );
}

/** POSTs a raw body to the gateway. */
async function postRaw(
  graph: CityGraph,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; requestId: string | null; text: string }> {
  const response = await fetch(graph.gatewayUrl, {
    method: 'POST',
    headers,
    body,
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    text: await response.text(),
  };
}

const codes = (response: GraphQLResponse) =>
  (response.errors ?? []).map((e) => e.extensions?.['code']);

/** Registers the attack-and-fault scenarios against the graph returned by `graph()`. */
export function defineAttackAndFaultScenarios(graph: () => CityGraph): void {
  describe('attack and fault (issue 9)', () => {
    it('finding 3: a captured gateway token cannot be replayed, reused for another body, or carry a write without its audit event', async () => {
      const g = graph();
      const key = await gatewayKey(g);
      const url = `http://127.0.0.1:${g.ports.mobility}/graphql`;
      const staff = createViewer('agent-e2e', [
        'mobility:staff',
        'mobility:control',
      ]);
      const send = (token: string, body: string) =>
        fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-gateway-token': token,
          },
          body,
        });
      const read = JSON.stringify({
        query:
          '{ trafficLight(id: "mob-tl-13201-01") { signalPlan { cycleSeconds } } }',
      });
      const token = await signGatewayToken(key, {
        viewer: staff,
        requestId: 'e2e-replay',
        ttlSeconds: 30,
        subgraph: 'mobility',
        body: read,
      });
      expect((await send(token, read)).status).toBe(200);
      // The same token again (captured on the wire): refused.
      expect((await send(token, read)).status).toBe(401);
      // A fresh token used with another body than the one it was signed for.
      const other = await signGatewayToken(key, {
        viewer: staff,
        requestId: 'e2e-rebind',
        ttlSeconds: 30,
        subgraph: 'mobility',
        body: read,
      });
      const write = JSON.stringify({
        query:
          'mutation { setSignalPlan(trafficLightId: "mob-tl-13201-01", plan: { name: "pwned", cycleSeconds: 30, phases: [] }) { id } }',
      });
      expect((await send(other, write)).status).toBe(401);
      // A token for the write itself, but without the audit link the
      // gateway adds only after recording the write's event.
      const unaudited = await signGatewayToken(key, {
        viewer: staff,
        requestId: 'e2e-unaudited',
        ttlSeconds: 30,
        subgraph: 'mobility',
        body: write,
      });
      const refused = (await (
        await send(unaudited, write)
      ).json()) as GraphQLResponse;
      expect(codes(refused)).toContain('FORBIDDEN');
      const light = await g.query(
        '{ trafficLight(id: "mob-tl-13201-01") { signalPlan { name } } }',
        {},
        { token: await g.token('agent-e2e', ['mobility:staff']) },
      );
      expect(
        (light.data?.['trafficLight'] as { signalPlan: { name: string } })
          .signalPlan.name,
      ).not.toBe('pwned');
    });

    it('finding 4: enrolling answers the same whether or not the address is enrolled, and never names it back', async () => {
      const g = graph();
      const workshops = await g.query(
        '{ workshops(first: 100) { nodes { id startsAt seatsLeft } } }',
      );
      const upcoming = (
        workshops.data?.['workshops'] as {
          nodes: { id: string; startsAt: string; seatsLeft: number }[];
        }
      ).nodes.find(
        (w) =>
          Date.parse(w.startsAt) > Date.now() + 3_600_000 && w.seatsLeft > 2,
      );
      expect(upcoming).toBeDefined();
      const citizen = await g.token('citizen-e2e', ['citizen']);
      const enrol = (email: string) =>
        g.query(
          'mutation($w: ID!, $p: ParticipantInput!) { enrol(workshopId: $w, participant: $p) { enrolmentId workshop { id } } }',
          {
            w: upcoming?.id,
            p: { name: 'Probe Essai', email, residentDistrict: '13201' },
          },
          { token: citizen },
        );
      const email = `probe.${Date.now()}@example.fr`;
      const first = await enrol(email);
      const again = await enrol(email.toUpperCase());
      for (const answer of [first, again]) {
        expect(answer.status).toBe(200);
        expect(answer.errors).toBeUndefined();
        expect(JSON.stringify(answer).toLowerCase()).not.toContain(email);
        expect(JSON.stringify(answer)).not.toMatch(/already/i);
      }
      expect(Object.keys(again.data?.['enrol'] as object)).toEqual(
        Object.keys(first.data?.['enrol'] as object),
      );
    });

    it('finding 5: cheap attacks are refused before any department does work', async () => {
      const g = graph();
      for (const proxy of Object.values(g.proxies)) proxy.reset();
      const typenames = Array.from(
        { length: 1000 },
        (_, i) => `t${i}:__typename`,
      ).join(' ');
      const attacks: [string, string, number, string][] = [
        [
          '24 KB of repeated fields',
          JSON.stringify({
            query: `{ districts { ${'code '.repeat(4_900)} } }`,
          }),
          413,
          'OPERATION_LIMIT_EXCEEDED',
        ],
        [
          '1,000 __typename aliases',
          JSON.stringify({ query: `{ ${typenames} }` }),
          400,
          'GRAPHQL_VALIDATION_FAILED',
        ],
        [
          'nested list sizes',
          JSON.stringify({
            query:
              '{ districts { trafficSensors(first: 10) { nodes { readings(first: 10) { nodes { id } } } } } }',
          }),
          400,
          'GRAPHQL_VALIDATION_FAILED',
        ],
        [
          'a 60,000-deep variable',
          // Built as text: JSON.stringify itself cannot nest that deep.
          `{"query":"query($v: [Int]) { districts { code } }","variables":{"v":${'['.repeat(60_000)}1${']'.repeat(60_000)}}}`,
          400,
          'OPERATION_LIMIT_EXCEEDED',
        ],
        [
          '50,000 variables',
          JSON.stringify({
            query: '{ districts { code } }',
            variables: Object.fromEntries(
              Array.from({ length: 50_000 }, (_, i) => [`v${i}`, i]),
            ),
          }),
          400,
          'OPERATION_LIMIT_EXCEEDED',
        ],
      ];
      for (const [name, body, status, code] of attacks) {
        const answer = await postRaw(g, body);
        expect(answer.status, name).toBe(status);
        expect(
          (JSON.parse(answer.text) as GraphQLResponse).errors?.[0]
            ?.extensions?.['code'],
          name,
        ).toBe(code);
      }
      // No department's database was asked anything (governance's gets the
      // audit events of the refusals).
      for (const name of DEPARTMENTS)
        expect(g.proxies[name].commands(), name).toEqual([]);
    });

    it('finding 7: bad input answers 4xx or BAD_USER_INPUT with a documented code, never a 5xx or INTERNAL_SERVER_ERROR', async () => {
      const g = graph();
      const logsBefore = g.logs('gateway').length;
      const cursor = (value: unknown) =>
        Buffer.from(JSON.stringify(value)).toString('base64url');
      const http: [string, string, number, string][] = [
        [
          'syntax error',
          JSON.stringify({ query: '{ districts { code ' }),
          400,
          'GRAPHQL_PARSE_FAILED',
        ],
        [
          'two anonymous operations',
          JSON.stringify({
            query: '{ districts { code } } { districts { name } }',
          }),
          400,
          'GRAPHQL_VALIDATION_FAILED',
        ],
        [
          'over 5,000 tokens',
          JSON.stringify({ query: `{${' a'.repeat(5_100)} }` }),
          400,
          'OPERATION_LIMIT_EXCEEDED',
        ],
        [
          '1,000 aliases',
          JSON.stringify({
            query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}:__typename`).join(' ')} }`,
          }),
          400,
          'GRAPHQL_VALIDATION_FAILED',
        ],
        [
          '1,000 directives',
          JSON.stringify({
            query: `{ districts { code ${'@a '.repeat(1000)}} }`,
          }),
          400,
          'GRAPHQL_VALIDATION_FAILED',
        ],
        [
          'persisted-query hash mismatch',
          JSON.stringify({
            query: '{ districts { code } }',
            extensions: {
              persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) },
            },
          }),
          400,
          'PERSISTED_QUERY_HASH_MISMATCH',
        ],
      ];
      for (const [name, body, status, code] of http) {
        const answer = await postRaw(g, body);
        expect(
          [
            answer.status,
            (JSON.parse(answer.text) as GraphQLResponse).errors?.[0]
              ?.extensions?.['code'],
          ],
          name,
        ).toEqual([status, code]);
        expect(answer.text, name).not.toMatch(LEAK);
      }
      const inputs: [string, string, Record<string, unknown>][] = [
        [
          'invalid DateTime literal',
          '{ trafficSensor(id: "mob-ts-13201-01") { readings(range: { from: "yesterday" }) { totalCount } } }',
          {},
        ],
        [
          'invalid DateTime variable',
          'query($r: TimeRangeInput) { trafficSensor(id: "mob-ts-13201-01") { readings(range: $r) { totalCount } } }',
          { r: { from: 'yesterday' } },
        ],
        [
          'garbage cursor',
          '{ trafficSensors(after: "!!garbage!!") { nodes { id } } }',
          {},
        ],
        [
          'crafted cursor (cast error)',
          `{ citizenReports(after: "${cursor(['not a date', 'x'])}") { nodes { id } } }`,
          {},
        ],
        [
          'crafted cursor (operator)',
          `{ businesses(after: "${cursor([{ $gt: '' }, 'x'])}") { nodes { id } } }`,
          {},
        ],
      ];
      for (const [name, query, variables] of inputs) {
        const answer = await g.query(query, variables);
        expect(answer.status, name).toBeLessThan(500);
        expect(codes(answer), name).toEqual(['BAD_USER_INPUT']);
        expect(JSON.stringify(answer), name).not.toMatch(LEAK);
      }
      // The lines these requests made: each names its request, none reads "[object Object]".
      await eventually(() => g.logs('gateway').length > logsBefore);
      const lines = g.logs('gateway').slice(logsBefore);
      expect(lines.join('\n')).not.toContain('[object Object]');
      for (const line of lines)
        expect(
          (JSON.parse(line) as Record<string, unknown>)['requestId'],
          line,
        ).toEqual(expect.any(String));
    });

    it('finding 8: every refusal, at any layer, leaves an audit event; a refused field costs only itself', async () => {
      const g = graph();
      const refusals: [string, () => Promise<string | null>, string][] = [
        [
          'bad JSON',
          async () => (await postRaw(g, '{nope')).requestId,
          'BAD_REQUEST',
        ],
        [
          'batch',
          async () =>
            (
              await postRaw(
                g,
                JSON.stringify([{ query: '{ districts { code } }' }]),
              )
            ).requestId,
          'BAD_REQUEST',
        ],
        [
          'CSRF-unsafe form post',
          async () =>
            (
              await postRaw(g, 'query=%7Bdistricts%7Bcode%7D%7D', {
                'content-type': 'application/x-www-form-urlencoded',
              })
            ).requestId,
          'BAD_REQUEST',
        ],
        [
          '413 body',
          async () =>
            (
              await postRaw(
                g,
                JSON.stringify({ query: `{ ${'x'.repeat(1_100_000)} }` }),
              )
            ).requestId,
          'BAD_REQUEST',
        ],
        [
          'syntax error',
          async () =>
            (await postRaw(g, JSON.stringify({ query: '{' }))).requestId,
          'GRAPHQL_PARSE_FAILED',
        ],
        [
          'token limit',
          async () =>
            (
              await postRaw(
                g,
                JSON.stringify({ query: `{${' a'.repeat(5_100)} }` }),
              )
            ).requestId,
          'OPERATION_LIMIT_EXCEEDED',
        ],
        [
          'query not a string',
          async () =>
            (await postRaw(g, JSON.stringify({ query: 5 }))).requestId,
          'BAD_REQUEST',
        ],
      ];
      const expected = new Map<string, [string, string]>();
      for (const [name, send, code] of refusals) {
        const requestId = await send();
        expect(requestId, name).toEqual(expect.any(String));
        expected.set(requestId as string, [name, code]);
      }
      // 431: Node answers before any handler, so no request id comes back.
      const since = new Date().toISOString();
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(g.ports.gateway, '127.0.0.1', () =>
          socket.write(
            `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`,
          ),
        );
        socket.on('data', () => socket.end());
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      const auditor = await g.token('auditor-e2e', ['audit:read']);
      type Event = {
        requestId: string;
        outcome: string;
        errorCodes: string[];
        at: string;
      };
      const events = async (): Promise<Event[]> =>
        (
          (
            await g.query(
              '{ auditEvents(filter: { chainId: "e2e" }, first: 100) { nodes { requestId outcome errorCodes at } } }',
              {},
              { token: auditor },
            )
          ).data?.['auditEvents'] as { nodes: Event[] }
        ).nodes;
      await eventually(async () => {
        const recorded = await events();
        const byId = new Map(recorded.map((e) => [e.requestId, e]));
        for (const [requestId, [name, code]] of expected) {
          const event = byId.get(requestId);
          if (event?.outcome !== 'REFUSED' || !event.errorCodes.includes(code))
            return `${name}: ${JSON.stringify(event)}`;
        }
        return recorded.some(
          (e) =>
            e.at >= since &&
            e.errorCodes.includes('REQUEST_HEADER_FIELDS_TOO_LARGE'),
        )
          ? true
          : '431 not recorded';
      });
      // Asked without the scope, the audit fields are null; the districts answer.
      const anonymous = await g.query(
        '{ districts { code } accessRules { coordinate } auditEvents(first: 1) { totalCount } }',
      );
      expect((anonymous.data?.['districts'] as unknown[]).length).toBe(16);
      expect(anonymous.data?.['accessRules']).toBeNull();
      expect(anonymous.data?.['auditEvents']).toBeNull();
      expect(codes(anonymous)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    });

    it('finding 9: a direct call to a subgraph never returns a stack trace or a file path', async () => {
      const g = graph();
      const key = await gatewayKey(g);
      for (const name of ['mobility', 'engagement', 'governance'] as const) {
        const url = `http://127.0.0.1:${g.ports[name]}/graphql`;
        const bodies = [
          '{nope',
          JSON.stringify({ query: '{ __typename' }),
          JSON.stringify({ query: '{ noSuchField }' }),
        ];
        for (const body of bodies) {
          const direct = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          expect(direct.status, `${name} ${body}`).toBeLessThan(500);
          expect(await direct.text(), `${name} ${body}`).not.toMatch(LEAK);
          // Even signed by the gateway, a failing request carries no trace.
          const token = await signGatewayToken(key, {
            viewer: createViewer(null),
            requestId: 'e2e-direct',
            ttlSeconds: 30,
            subgraph: name,
            body,
          });
          const signed = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-gateway-token': token,
            },
            body,
          });
          expect(await signed.text(), `${name} signed ${body}`).not.toMatch(
            LEAK,
          );
        }
      }
    });

    it('finding 6: district and districts answer while a department is down; its fields alone are null', async () => {
      const g = graph();
      g.pause('economy');
      try {
        const names = await g.query(
          '{ districts { code name } district(code: "13203") { name } }',
        );
        expect(names.errors).toBeUndefined();
        expect((names.data?.['districts'] as unknown[]).length).toBe(16);
        expect(names.data?.['district']).toEqual({
          name: 'Marseille 3e Arrondissement',
        });
        const mixed = await g.query(
          '{ districts { name businessCount congestion { sensorCount } } }',
        );
        const rows = mixed.data?.['districts'] as {
          name: string;
          businessCount: number | null;
          congestion: { sensorCount: number };
        }[];
        expect(rows).toHaveLength(16);
        for (const row of rows) {
          expect(row.name).toMatch(/^Marseille /);
          expect(row.businessCount).toBeNull();
          expect(row.congestion.sensorCount).toBeGreaterThan(0);
        }
        expect(
          mixed.errors?.map((e) => [
            e.extensions?.['code'],
            e.extensions?.['serviceName'],
          ]),
        ).toContainEqual(['DOWNSTREAM_SERVICE_ERROR', 'economy']);
      } finally {
        g.resume('economy');
      }
      await eventually(
        async () =>
          (await g.query('{ district(code: "13201") { businessCount } }'))
            .errors === undefined || 'economy not back',
      );
    });

    it('findings 1 and 2: a hung department costs its own fields within its timeout, named, with nothing of its address or stack', async () => {
      const g = graph();
      g.pause('mobility');
      try {
        const answer = await g.query(
          '{ trafficSensors(first: 1) { nodes { id } } businesses(first: 1) { nodes { id } } }',
        );
        expect(answer.status).toBe(200);
        expect(
          (answer.data?.['businesses'] as { nodes: unknown[] }).nodes,
        ).toHaveLength(1);
        const error = answer.errors?.find(
          (e) => e.extensions?.['serviceName'] === 'mobility',
        );
        expect(error?.extensions).toMatchObject({
          code: 'DOWNSTREAM_SERVICE_ERROR',
          reason: expect.stringMatching(/^(timeout|circuit_open)$/) as string,
        });
        expect(JSON.stringify(answer)).not.toMatch(LEAK);
      } finally {
        g.resume('mobility');
      }
      await eventually(
        async () =>
          (await g.query('{ trafficSensors(first: 1) { totalCount } }'))
            .errors === undefined || 'mobility not back',
      );
    });

    it('finding 7 (database down): a department whose database is unreachable gets a named error, not INTERNAL_SERVER_ERROR; the others answer', async () => {
      const g = graph();
      // The economy subgraph reaches its database through this proxy: closed,
      // the database is gone for good (the next test kills economy anyway).
      await g.proxies.economy.stop();
      const answer = await g.query(
        '{ business(id: "eco-biz-13201-001") { id } trafficSensor(id: "mob-ts-13201-01") { id } }',
      );
      expect(answer.status).toBe(200);
      expect(answer.data?.['trafficSensor']).toEqual({ id: 'mob-ts-13201-01' });
      expect(answer.data?.['business']).toBeNull();
      const error = answer.errors?.[0];
      expect(
        [error?.extensions?.['code'], error?.extensions?.['serviceName']],
        JSON.stringify(answer.errors),
      ).toEqual([
        expect.stringMatching(
          /^(SERVICE_UNAVAILABLE|DOWNSTREAM_SERVICE_ERROR)$/,
        ),
        'economy',
      ]);
      expect(JSON.stringify(answer)).not.toMatch(LEAK);
    });
  });
}
