import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { formatAccessRulesMarkdown } from '../../../records/access/formatAccessRulesMarkdown.js';
import { readAccessRules } from '../../../records/access/readAccessRules.js';

const engagement = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.9"
      import: [
        "@key"
        "@shareable"
        "@authenticated"
        "@requiresScopes"
        "@policy"
        "@tag"
        "@inaccessible"
      ]
    )
  type Query {
    reports: [CitizenReport!]! @authenticated
    debug: String @inaccessible
  }
  type CitizenReport @key(fields: "id") {
    id: ID!
    description: String!
    reporterEmail: String
      @requiresScopes(scopes: [["engagement:pii"]])
      @tag(name: "personal-data")
    district: District
  }
  type District @key(fields: "code") {
    code: ID!
    name: String @shareable
    reports: [CitizenReport!]! @policy(policies: [["city-staff"]])
  }
`;

const mobility = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.9"
      import: ["@key", "@shareable", "@requiresScopes"]
    )
  type Query {
    districts: [District!]!
    signalPlan(id: ID!): SignalPlan
  }
  type District @key(fields: "code") {
    code: ID!
    name: String @shareable
  }
  type SignalPlan
    @key(fields: "id")
    @requiresScopes(scopes: [["mobility:staff"], ["mobility:control"]]) {
    id: ID!
    cycleSeconds: Int @requiresScopes(scopes: [["mobility:control"]])
  }
`;

function compose(): string {
  const result = composeServices([
    {
      name: 'engagement',
      typeDefs: parse(engagement),
      url: 'http://localhost:4004',
    },
    {
      name: 'mobility',
      typeDefs: parse(mobility),
      url: 'http://localhost:4001',
    },
  ]);
  if (result.errors)
    throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

describe('readAccessRules', () => {
  it('lists the purposes each personal-data field may be read for, those of the roles that meet its rule', () => {
    const rules = readAccessRules(compose()).byCoordinate;
    // Engagement staff's purposes, and admin's (every purpose).
    expect(rules.get('CitizenReport.reporterEmail')?.purposes).toEqual([
      'audit',
      'data-subject-request',
      'report-follow-up',
      'workshop-organisation',
    ]);
    expect(rules.get('CitizenReport.description')?.purposes).toEqual([]);
  });

  const rules = readAccessRules(compose()).fields;
  const rule = (coordinate: string) =>
    rules.find((r) => r.coordinate === coordinate);

  it('lists every field of the API, sorted, without @inaccessible or join machinery', () => {
    expect(rules.map((r) => r.coordinate)).toEqual([
      'CitizenReport.description',
      'CitizenReport.district',
      'CitizenReport.id',
      'CitizenReport.reporterEmail',
      'District.code',
      'District.name',
      'District.reports',
      'Query.districts',
      'Query.reports',
      'Query.signalPlan',
      'SignalPlan.cycleSeconds',
      'SignalPlan.id',
    ]);
  });

  it('marks public fields as public', () => {
    expect(rule('Query.districts')).toMatchObject({
      public: true,
      rule: { authenticated: false, scopes: [], policies: [] },
      subgraphs: ['mobility'],
      personalData: false,
    });
  });

  it('names the owning subgraphs of shared and key fields', () => {
    expect(rule('District.name')?.subgraphs).toEqual([
      'engagement',
      'mobility',
    ]);
    expect(rule('District.code')?.subgraphs).toEqual([
      'engagement',
      'mobility',
    ]);
    expect(rule('District.reports')?.subgraphs).toEqual(['engagement']);
    expect(rule('SignalPlan.id')?.subgraphs).toEqual(['mobility']);
  });

  it('marks personal data from @tag(name: "personal-data")', () => {
    expect(rule('CitizenReport.reporterEmail')).toMatchObject({
      personalData: true,
      public: false,
      rule: { scopes: [['engagement:pii']] },
    });
    expect(rules.filter((r) => r.personalData)).toHaveLength(1);
  });

  it('combines field, type and return type rules as enforcement does', () => {
    expect(rule('SignalPlan.cycleSeconds')?.rule.scopes).toEqual([
      ['mobility:control'],
    ]);
    expect(rule('SignalPlan.id')?.rule.scopes).toEqual([
      ['mobility:control'],
      ['mobility:staff'],
    ]);
    expect(rule('Query.signalPlan')?.rule.scopes).toEqual([
      ['mobility:control'],
      ['mobility:staff'],
    ]);
    expect(rule('Query.reports')?.rule).toEqual({
      authenticated: true,
      scopes: [],
      policies: [],
    });
    expect(rule('District.reports')?.rule.policies).toEqual([['city-staff']]);
  });
});

describe('formatAccessRulesMarkdown', () => {
  const rules = readAccessRules(compose()).fields;
  const markdown = formatAccessRulesMarkdown(rules);

  it('renders one row per field with its access and personal data', () => {
    expect(markdown).toMatch(
      /^\| CitizenReport +\| reporterEmail +\| engagement +\| scope `engagement:pii` +\| yes +\| `audit`, `data-subject-request`, `report-follow-up`, `workshop-organisation` +\|$/m,
    );
    expect(markdown).toMatch(
      /^\| Query +\| districts +\| mobility +\| public +\| +\| +\|$/m,
    );
    expect(markdown).toContain(
      '12 fields: 6 public, 6 protected, 1 personal data.',
    );
  });

  it('is deterministic whatever the input order', () => {
    expect(formatAccessRulesMarkdown([...rules].reverse())).toBe(markdown);
  });

  it('is already formatted as Prettier would', async () => {
    const formatted = await format(markdown, {
      parser: 'markdown',
      singleQuote: true,
      trailingComma: 'all',
    });
    expect(markdown).toBe(formatted);
  });
});
