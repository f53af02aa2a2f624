import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuditTrail,
  type AuditEventInput,
} from '../../../lib/records/audit/index.js';
import { createSilentLogger } from '../../../lib/runtime/logger.js';
import { executeAs } from '../../../lib/tooling/testing/executeAs.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../../lib/tooling/testing/testDatabase.js';
import { createViewer, withPurpose } from '../../../lib/runtime/viewer.js';
import { createServer } from '../src/server.js';
import { createRecordingEventPublisher } from '../../../lib/tooling/testing/recordingEventPublisher.js';

/** What the resolvers under test publish. */
const events = createRecordingEventPublisher();

// The trail names people: auditors read it for the `audit` purpose (ADR 0015).
const auditor = withPurpose(
  createViewer('auditor-01', ['audit:read'], ['auditor']),
  'audit',
);
const citizen = createViewer('citizen-01', ['citizen']);

const engagementSdl = (rule: string) => /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@requiresScopes", "@tag"])
  type Query {
    reports: [Report!]!
  }
  type Report @key(fields: "id") {
    id: ID!
    title: String!
    reporterEmail: String ${rule} @tag(name: "personal-data")
  }
`;

function supergraph(
  rule = '@requiresScopes(scopes: [["engagement:pii"]])',
): string {
  const result = composeServices([
    {
      name: 'governance',
      url: 'http://127.0.0.1:4005/graphql',
      typeDefs: parse(
        readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
      ),
    },
    {
      name: 'engagement',
      url: 'http://127.0.0.1:4004/graphql',
      typeDefs: parse(engagementSdl(rule)),
    },
  ]);
  if (result.errors)
    throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

function event(overrides: Partial<AuditEventInput>): AuditEventInput {
  return {
    at: new Date('2026-11-25T08:00:00.000Z'),
    requestId: 'req',
    subject: null,
    scopes: [],
    clientName: null,
    clientVersion: null,
    operationName: null,
    documentHash: 'a'.repeat(64),
    fields: [],
    subgraphs: ['engagement'],
    outcome: 'success',
    errorCodes: [],
    durationMs: 3,
    ...overrides,
  };
}

describe('governance subgraph', () => {
  let db: TestDatabase;
  let dir: string;
  let supergraphPath: string;
  let server: ReturnType<typeof createServer>;

  beforeAll(async () => {
    db = await startTestDatabase('governance');
    dir = await mkdtemp(path.join(tmpdir(), 'governance-test-'));
    supergraphPath = path.join(dir, 'supergraph.graphql');
    await writeFile(supergraphPath, supergraph());
    server = createServer({
      connection: db.connection,
      events,
      logger: createSilentLogger(),
      supergraphPath,
    });
    await server.apollo.start();
    const trail = createAuditTrail({
      connection: db.connection,
      chainId: 'gateway-a',
      logger: createSilentLogger(),
    });
    const pii = (decision: 'allowed' | 'denied') => [
      {
        coordinate: 'Report.reporterEmail',
        rule: 'scope engagement:pii',
        decision,
      },
    ];
    // 30 events a minute apart: staff-01 allowed PII every third minute,
    // citizen-01 denied PII every third minute, anonymous public reads otherwise.
    for (let i = 0; i < 30; i += 1) {
      const at = new Date(Date.UTC(2026, 10, 25, 8, i));
      const kind = i % 3;
      await trail.record(
        kind === 0
          ? event({
              at,
              requestId: `r${i}`,
              subject: 'staff-01',
              scopes: ['engagement:pii'],
              fields: pii('allowed'),
            })
          : kind === 1
            ? event({
                at,
                requestId: `r${i}`,
                subject: 'citizen-01',
                scopes: ['citizen'],
                fields: pii('denied'),
                outcome: 'partial',
                errorCodes: ['FORBIDDEN'],
              })
            : event({ at, requestId: `r${i}` }),
      );
    }
    await trail.close();
  });

  afterAll(async () => {
    await server?.apollo.stop();
    await db?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('districts (ADR 0007: the reference data is owned here, always up)', () => {
    it('answers the 16 districts and one district from the reference data, without the database', async () => {
      db.resetCommands();
      const result = await executeAs(
        server,
        '{ districts { code name } district(code: "13203") { id name postalCode sector population } }',
      );
      expect(result.errors).toBeUndefined();
      const districts = result.data?.['districts'] as { code: string }[];
      expect(districts.map((d) => d.code)).toEqual(
        Array.from({ length: 16 }, (_, i) => String(13201 + i)),
      );
      expect(result.data?.['district']).toEqual({
        id: '13203',
        name: 'Marseille 3e Arrondissement',
        postalCode: '13003',
        sector: 'II',
        population: expect.any(Number) as number,
      });
      expect(db.commands()).toEqual([]);
    });

    it('answers an unknown district code with BAD_USER_INPUT on that field only', async () => {
      const result = await executeAs(
        server,
        '{ district(code: "99999") { code } districts { code } }',
      );
      expect(result.data?.['district']).toBeNull();
      expect((result.data?.['districts'] as unknown[]).length).toBe(16);
      expect(result.errors).toMatchObject([
        {
          path: ['district'],
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'code' },
        },
      ]);
    });

    it('resolves District references by code, an unknown code to null', async () => {
      const result = await executeAs(
        server,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on District { code name } } }',
        {
          r: [
            { __typename: 'District', code: '13216' },
            { __typename: 'District', code: '99999' },
          ],
        },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.['_entities']).toEqual([
        { code: '13216', name: 'Marseille 16e Arrondissement' },
        null,
      ]);
    });
  });

  it('refuses accessRules and auditEvents without audit:read at the cost of those fields only (finding 8)', async () => {
    for (const viewer of [undefined, citizen]) {
      const result = await executeAs(
        server,
        '{ districts { code } accessRules { coordinate } auditEvents(first: 1) { totalCount } }',
        {},
        viewer,
      );
      expect((result.data?.['districts'] as unknown[]).length).toBe(16);
      expect(result.data?.['accessRules']).toBeNull();
      expect(result.data?.['auditEvents']).toBeNull();
      expect(
        result.errors?.map((e) => [e.path?.[0], e.extensions?.['code']]),
      ).toEqual([
        ['accessRules', viewer ? 'FORBIDDEN' : 'UNAUTHENTICATED'],
        ['auditEvents', viewer ? 'FORBIDDEN' : 'UNAUTHENTICATED'],
      ]);
    }
  });

  describe('accessRules', () => {
    const query = /* GraphQL */ `
      query ($filter: AccessRuleFilter) {
        accessRules(filter: $filter) {
          coordinate
          subgraphs
          public
          personalData
          rule {
            authenticated
            scopes
            policies
            description
          }
        }
      }
    `;

    it('is refused without a token (UNAUTHENTICATED) and without audit:read (FORBIDDEN)', async () => {
      const anonymous = await executeAs(server, query);
      expect(anonymous.data?.['accessRules'] ?? null).toBeNull();
      expect(
        anonymous.errors?.map((error) => error.extensions?.['code']),
      ).toContain('UNAUTHENTICATED');
      const forbidden = await executeAs(server, query, {}, citizen);
      expect(forbidden.data?.['accessRules'] ?? null).toBeNull();
      expect(
        forbidden.errors?.map((error) => error.extensions?.['code']),
      ).toContain('FORBIDDEN');
    });

    it('lists every field of the supergraph, public ones included, with rule, owner and personal-data flag', async () => {
      const result = await executeAs(server, query, {}, auditor);
      expect(result.errors).toBeUndefined();
      const rules = result.data?.['accessRules'] as { coordinate: string }[];
      expect(rules).toContainEqual({
        coordinate: 'Report.reporterEmail',
        subgraphs: ['engagement'],
        public: false,
        personalData: true,
        rule: {
          authenticated: false,
          scopes: [['engagement:pii']],
          policies: [],
          description: 'scope engagement:pii',
        },
      });
      expect(rules).toContainEqual({
        coordinate: 'Report.title',
        subgraphs: ['engagement'],
        public: true,
        personalData: false,
        rule: {
          authenticated: false,
          scopes: [],
          policies: [],
          description: 'public',
        },
      });
      expect(rules.map((rule) => rule.coordinate)).toContain(
        'Query.auditEvents',
      );
    });

    it('filters by subgraph, type, personal data and public', async () => {
      const coordinates = async (filter: object) =>
        (
          (await executeAs(server, query, { filter }, auditor)).data?.[
            'accessRules'
          ] as { coordinate: string }[]
        ).map((rule) => rule.coordinate);
      expect(await coordinates({ subgraph: 'engagement' })).toEqual([
        'Query.reports',
        'Report.id',
        'Report.reporterEmail',
        'Report.title',
      ]);
      expect(await coordinates({ type: 'Report', publicOnly: false })).toEqual([
        'Report.reporterEmail',
      ]);
      expect(await coordinates({ personalData: true })).toEqual([
        'AuditEvent.subject',
        'AuditedRecord.subject',
        'PersonalDataAccessReport.subject',
        'PersonalDataRead.reader',
        'Report.reporterEmail',
      ]);
      expect(
        await coordinates({ subgraph: 'engagement', publicOnly: true }),
      ).toEqual(['Query.reports', 'Report.id', 'Report.title']);
    });

    it('re-reads the supergraph when the file changes', async () => {
      await writeFile(
        supergraphPath,
        supergraph('@requiresScopes(scopes: [["engagement:staff"]])'),
      );
      const result = await executeAs(
        server,
        query,
        { filter: { type: 'Report', publicOnly: false } },
        auditor,
      );
      expect(result.data?.['accessRules']).toMatchObject([
        { rule: { scopes: [['engagement:staff']] } },
      ]);
      await writeFile(supergraphPath, supergraph());
    });
  });

  describe('auditEvents', () => {
    const query = /* GraphQL */ `
      query ($filter: AuditEventFilter, $first: Int, $after: String) {
        auditEvents(filter: $filter, first: $first, after: $after) {
          nodes {
            id
            seq
            at
            subject
            outcome
            fields {
              coordinate
              decision
            }
          }
          pageInfo {
            endCursor
            hasNextPage
          }
          totalCount
        }
      }
    `;
    type Page = {
      nodes: {
        id: string;
        seq: number;
        at: string;
        subject: string | null;
        outcome: string;
      }[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
      totalCount: number;
    };
    const page = async (variables: Record<string, unknown>) => {
      const result = await executeAs(server, query, variables, auditor);
      expect(result.errors).toBeUndefined();
      return result.data?.['auditEvents'] as Page;
    };

    it('is refused without audit:read', async () => {
      const result = await executeAs(server, query, {}, citizen);
      expect(result.data?.['auditEvents'] ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    });

    it('pages through every event newest first without overlap', async () => {
      const seen: number[] = [];
      let after: string | null = null;
      do {
        const current: Page = await page({ first: 7, after });
        expect(current.totalCount).toBe(30);
        seen.push(...current.nodes.map((node) => node.seq));
        after = current.pageInfo.hasNextPage
          ? current.pageInfo.endCursor
          : null;
      } while (after);
      expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    });

    it('filters by subject, time range, field and decision', async () => {
      const bySubject = await page({
        filter: { subject: 'citizen-01' },
        first: 100,
      });
      expect(bySubject.totalCount).toBe(10);
      expect(
        bySubject.nodes.every(
          (node) => node.subject === 'citizen-01' && node.outcome === 'PARTIAL',
        ),
      ).toBe(true);

      const inRange = await page({
        filter: { from: '2026-11-25T08:10:00Z', to: '2026-11-25T08:20:00Z' },
        first: 100,
      });
      expect(inRange.nodes.map((node) => node.seq)).toEqual([
        20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
      ]);

      const byField = await page({
        filter: { field: 'Report.reporterEmail' },
        first: 100,
      });
      expect(byField.totalCount).toBe(20);

      const denied = await page({
        filter: { field: 'Report.reporterEmail', decision: 'DENIED' },
        first: 100,
      });
      expect(denied.totalCount).toBe(10);
      expect(denied.nodes[0]).toMatchObject({
        subject: 'citizen-01',
        fields: [{ decision: 'DENIED' }],
      });

      const allowed = await page({
        filter: { decision: 'ALLOWED', subject: 'staff-01' },
        first: 100,
      });
      expect(allowed.totalCount).toBe(10);
    });

    it('refuses a time range whose start is not before its end', async () => {
      const result = await executeAs(
        server,
        query,
        {
          filter: { from: '2026-11-25T09:00:00Z', to: '2026-11-25T08:00:00Z' },
        },
        auditor,
      );
      expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });
  });

  describe('auditEvent', () => {
    it('returns one event by chain and seq, null when absent', async () => {
      const result = await executeAs(
        server,
        '{ found: auditEvent(chainId: "gateway-a", seq: 2) { id requestId subject hash prevHash } missing: auditEvent(chainId: "gateway-a", seq: 999) { id } }',
        {},
        auditor,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.['found']).toMatchObject({
        id: 'gateway-a:2',
        requestId: 'r1',
        subject: 'citizen-01',
      });
      expect(result.data?.['missing']).toBeNull();
    });
  });

  it('publishes its SDL with the Federation 2 link through _service', async () => {
    const result = await executeAs(server, '{ _service { sdl } }');
    expect((result.data?.['_service'] as { sdl: string }).sdl).toContain(
      '@link(url: "https://specs.apollo.dev/federation/v2.9"',
    );
  });
});
