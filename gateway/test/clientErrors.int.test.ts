/**
 * What the gateway answers to bad input (issue 9, findings 7 and 8): every
 * request the client got wrong is a 4xx with a documented code, never a
 * 500; every refusal, at any layer, leaves an audit event; log lines carry
 * the request id and never "[object Object]".
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startInProcessGateway,
  type InProcessGateway,
} from '../../scripts/inProcessGateway.js';

let gateway: InProcessGateway;

beforeAll(async () => {
  gateway = await startInProcessGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

/** Waits for the audit event of `requestId` (public-only events are written after the response). */
async function eventOf(requestId: string | null) {
  for (let i = 0; i < 500; i++) {
    const event = gateway.events.find((e) => e.requestId === requestId);
    if (event) return event;
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

describe('bad input at the gateway', () => {
  const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}:__typename`);
  const cases: [string, unknown, number, string][] = [
    ['a syntax error', { query: '{ hello ' }, 400, 'GRAPHQL_PARSE_FAILED'],
    [
      'two anonymous operations',
      { query: '{ hello } { hello }' },
      400,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'two named operations and no operationName',
      { query: 'query A { hello } query B { hello }' },
      400,
      'OPERATION_RESOLUTION_FAILURE',
    ],
    [
      'an operationName the document does not define',
      { query: 'query A { hello }', operationName: 'B' },
      400,
      'OPERATION_RESOLUTION_FAILURE',
    ],
    [
      'over the token limit',
      { query: `{${' a'.repeat(5_100)} }` },
      400,
      'OPERATION_LIMIT_EXCEEDED',
    ],
    [
      '1,000 aliases',
      { query: `{ ${aliases.join(' ')} }` },
      400,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      '1,000 directives',
      { query: `{ hello ${'@skip(if:false) '.repeat(800)}}` },
      400,
      'OPERATION_LIMIT_EXCEEDED',
    ],
    [
      '1,000 unknown directives',
      { query: `{ hello ${'@a '.repeat(1000)}}` },
      400,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a persisted query whose hash is not its query',
      {
        query: '{ hello }',
        extensions: {
          persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) },
        },
      },
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    ],
    ['a body that is not JSON', '{nope', 400, 'BAD_REQUEST'],
    ['a batch', [{ query: '{ hello }' }], 400, 'BAD_REQUEST'],
    ['no query', { variables: {} }, 400, 'BAD_REQUEST'],
    ['a query that is not a string', { query: 5 }, 400, 'BAD_REQUEST'],
    [
      'variables that are not an object',
      { query: '{ hello }', variables: 5 },
      400,
      'BAD_REQUEST',
    ],
  ];

  for (const [name, body, status, code] of cases) {
    it(`answers ${name} with HTTP ${status} and ${code}, and audits the refusal`, async () => {
      const response = await gateway.post(body);
      expect(response.status).toBe(status);
      expect(response.body.errors?.[0]?.extensions?.['code']).toBe(code);
      expect(JSON.stringify(response.body)).not.toMatch(/stack|\/work\/|at /);
      const event = await eventOf(response.headers.get('x-request-id'));
      expect(event?.outcome).toBe('refused');
      expect(event?.errorCodes).toContain(code);
    });
  }

  it('audits a refusal once, whichever layer saw it first', async () => {
    // The pipeline's refusals (validation here) are recorded by the audit
    // plugin; the HTTP layer must not record them a second time. Apollo
    // Server runs the pipeline on a copy of the context, so the plugin's
    // mark has to reach the HTTP layer through something both share.
    const ids: (string | null)[] = [];
    for (const body of [
      { query: '{ hello } { hello }' },
      { query: '{ hello ' },
      { query: 5 },
    ]) {
      const response = await gateway.post(body);
      expect(response.status).toBe(400);
      ids.push(response.headers.get('x-request-id'));
    }
    for (const id of ids) expect(await eventOf(id)).toBeDefined();
    // Whatever else is still on its way has had the time to arrive.
    await new Promise((r) => setTimeout(r, 200));
    for (const id of ids)
      expect(gateway.events.filter((e) => e.requestId === id)).toHaveLength(1);
  });

  it('answers a persisted query registered with its right hash (the control)', async () => {
    const query = '{ hello }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const response = await gateway.post({
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash } },
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ hello: 'bonjour' });
  });

  it('audits requests refused before GraphQL: a refused token, a path that is not /graphql, a preflight from a foreign origin', async () => {
    const token = await gateway.post(
      { query: '{ hello }' },
      { token: 'forged' },
    );
    expect(token.status).toBe(401);
    const notFound = await fetch(gateway.url.replace('/graphql', '/admin'));
    expect(notFound.status).toBe(404);
    const preflight = await fetch(gateway.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
      },
    });
    expect(preflight.status).toBe(403);
    const foreign = await gateway.post(
      { query: '{ hello }' },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(foreign.status).toBe(403);
    const expected: [Response | { headers: Headers }, string][] = [
      [token, 'UNAUTHENTICATED'],
      [notFound, 'NOT_FOUND'],
      [preflight, 'BAD_REQUEST'],
      [foreign, 'BAD_REQUEST'],
    ];
    for (const [response, code] of expected) {
      const event = await eventOf(response.headers.get('x-request-id'));
      expect(event, code).toMatchObject({
        outcome: 'refused',
        errorCodes: [code],
      });
    }
  });

  it('writes log lines that carry the request id and never "[object Object]"', async () => {
    const response = await gateway.post({
      query: '{ hello }',
      extensions: {
        persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) },
      },
    });
    expect(response.status).toBe(400);
    const lines = gateway.logLines.map(
      (line) => JSON.parse(line) as Record<string, unknown>,
    );
    expect(gateway.logLines.join('\n')).not.toContain('[object Object]');
    const requestId = response.headers.get('x-request-id');
    expect(
      lines.filter((l) => l['requestId'] === requestId).length,
    ).toBeGreaterThan(0);
    // Every warning or error written while serving a request names it.
    for (const line of lines.filter((l) => l['level'] !== 'info'))
      expect(line['requestId'], JSON.stringify(line)).toEqual(
        expect.any(String),
      );
  });
});
