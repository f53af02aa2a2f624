import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../lib/records/audit/index.js';
import {
  createTrustedDocuments,
  documentId,
  loadTrustedDocuments,
  type TrustedDocumentsMode,
} from '../src/trustedDocuments.js';
import { startFixtureGateway } from './startGatewayOver.js';

const LISTED =
  'query District($code: String!) { district(code: $code) { name } }';
const UNLISTED = '{ district(code: "13201") { code name } }';

interface Answer {
  status: number;
  body: {
    data?: unknown;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  requestId: string | null;
}

async function start(mode: TrustedDocumentsMode) {
  const events: AuditEventInput[] = [];
  const fixture = await startFixtureGateway({
    trustedDocuments: createTrustedDocuments(
      new Map([[documentId(LISTED), LISTED]]),
      mode,
    ),
    audit: {
      record: async (event) => {
        events.push(event);
      },
      ping: async () => true,
    },
  });
  const post = async (body: unknown): Promise<Answer> => {
    const response = await fetch(`${fixture.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as Answer['body'],
      requestId: response.headers.get('x-request-id'),
    };
  };
  const get = async (params: Record<string, string>): Promise<Answer> => {
    const response = await fetch(
      `${fixture.base}/graphql?${new URLSearchParams(params)}`,
      { headers: { 'apollo-require-preflight': 'true' } },
    );
    return {
      status: response.status,
      body: (await response.json()) as Answer['body'],
      requestId: response.headers.get('x-request-id'),
    };
  };
  /** The audit event of a request (refusals are recorded after the answer). */
  const eventOf = async (requestId: string | null) => {
    for (let i = 0; i < 500; i++) {
      const event = events.find((e) => e.requestId === requestId);
      if (event) return event;
      await new Promise((r) => setTimeout(r, 10));
    }
    return undefined;
  };
  return { fixture, post, get, eventOf };
}

const byId = (query: string) => ({
  extensions: { persistedQuery: { version: 1, sha256Hash: documentId(query) } },
});

describe('trusted documents, enforced', () => {
  let gateway: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    gateway = await start('enforce');
  });
  afterAll(async () => {
    await gateway?.fixture.stop();
  });

  it('serves a listed operation in full, by id over POST, and by id over GET', async () => {
    const variables = { code: '13202' };
    const expected = { district: { name: 'Marseille 2e' } };
    const full = await gateway.post({ query: LISTED, variables });
    expect(full.status).toBe(200);
    expect(full.body.data).toEqual(expected);
    const post = await gateway.post({ ...byId(LISTED), variables });
    expect(post.status).toBe(200);
    expect(post.body.data).toEqual(expected);
    const get = await gateway.get({
      extensions: JSON.stringify(byId(LISTED).extensions),
      variables: JSON.stringify(variables),
    });
    expect(get.status).toBe(200);
    expect(get.body.data).toEqual(expected);
  });

  it('refuses a document off the list with QUERY_NOT_IN_SAFELIST, and audits the refusal', async () => {
    const answer = await gateway.post({ query: UNLISTED });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe(
      'QUERY_NOT_IN_SAFELIST',
    );
    const event = await gateway.eventOf(answer.requestId);
    expect(event?.outcome).toBe('refused');
    expect(event?.errorCodes).toContain('QUERY_NOT_IN_SAFELIST');
    const get = await gateway.get({ query: UNLISTED });
    expect(get.status).toBe(400);
    expect(get.body.errors?.[0]?.extensions?.['code']).toBe(
      'QUERY_NOT_IN_SAFELIST',
    );
  });

  it('refuses an unknown id with PERSISTED_QUERY_NOT_IN_LIST', async () => {
    const answer = await gateway.post(byId(UNLISTED));
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe(
      'PERSISTED_QUERY_NOT_IN_LIST',
    );
    expect((await gateway.eventOf(answer.requestId))?.errorCodes).toContain(
      'PERSISTED_QUERY_NOT_IN_LIST',
    );
  });

  it('lets no client register a document through APQ', async () => {
    const register = await gateway.post({ query: UNLISTED, ...byId(UNLISTED) });
    expect(register.status).toBe(400);
    expect(register.body.errors?.[0]?.extensions?.['code']).toBe(
      'QUERY_NOT_IN_SAFELIST',
    );
    const again = await gateway.post(byId(UNLISTED));
    expect(again.body.errors?.[0]?.extensions?.['code']).toBe(
      'PERSISTED_QUERY_NOT_IN_LIST',
    );
  });
});

describe('trusted documents, allowed', () => {
  let gateway: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    gateway = await start('allow');
  });
  afterAll(async () => {
    await gateway?.fixture.stop();
  });

  it('serves listed ids without registration, and any other document', async () => {
    const listed = await gateway.post({
      ...byId(LISTED),
      variables: { code: '13203' },
    });
    expect(listed.body.data).toEqual({ district: { name: 'District 13203' } });
    const other = await gateway.post({ query: UNLISTED });
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual({
      district: { code: '13201', name: 'District 13201' },
    });
  });

  it('registers other documents through APQ as usual', async () => {
    const query = '{ district(code: "13204") { name } }';
    const unknown = await gateway.post(byId(query));
    expect(unknown.body.errors?.[0]?.extensions?.['code']).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    const register = await gateway.post({ query, ...byId(query) });
    expect(register.body.data).toEqual({
      district: { name: 'District 13204' },
    });
    const hit = await gateway.post(byId(query));
    expect(hit.body.data).toEqual({ district: { name: 'District 13204' } });
  });
});

describe('loadTrustedDocuments', () => {
  it('names the file when it cannot be read or is not JSON', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'trusted-'));
    const file = path.join(dir, 'm.json');
    await expect(loadTrustedDocuments(file, 'enforce')).rejects.toThrow(
      /Cannot read TRUSTED_DOCUMENTS_FILE .*m.json \(ENOENT\)/,
    );
    await writeFile(file, '{');
    await expect(loadTrustedDocuments(file, 'enforce')).rejects.toThrow(
      /is not JSON/,
    );
    await writeFile(
      file,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: documentId(LISTED), body: LISTED }],
      }),
    );
    const trusted = await loadTrustedDocuments(file, 'allow');
    expect(trusted.mode).toBe('allow');
    expect(trusted.size).toBe(1);
  });
});
