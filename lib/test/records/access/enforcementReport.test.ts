import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  applyAccessRules,
  DocumentRuleError,
  ENFORCEMENT_EXTENSION,
  enforcementReportPlugin,
  type EnforcementReport,
} from '../../../records/access/index.js';
import { createSilentLogger } from '../../../runtime/logger.js';
import {
  anonymousViewer,
  createViewer,
  withPurpose,
  type Viewer,
} from '../../../runtime/viewer.js';

const typeDefs = parse(/* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.9"
      import: ["@key", "@requiresScopes", "@tag"]
    )
  type Query {
    reports: [Report!]!
    light(id: ID!): Light
  }
  type Mutation {
    setPlan(id: ID!): Light @requiresScopes(scopes: [["mobility:control"]])
    open(id: ID!): Boolean
  }
  type Report @key(fields: "id") {
    id: ID!
    title: String!
    reporterEmail: String
      @tag(name: "personal-data")
      @requiresScopes(scopes: [["engagement:pii"]])
  }
  type Light @key(fields: "id") {
    id: ID!
    plan: Plan
  }
  type Plan @key(fields: "id") @requiresScopes(scopes: [["mobility:staff"]]) {
    id: ID!
    cycle: Int
  }
`);

const reports = [
  { _id: 'r1', title: 'a', reporterEmail: 'x@y.fr', by: 'citizen-01' },
  { _id: 'r2', title: 'b', reporterEmail: 'z@y.fr', by: 'citizen-02' },
];

const maintenance = () =>
  new DocumentRuleError({
    rule: 'canSetPlan (not under maintenance)',
    coordinate: 'Mutation.setPlan',
    message: 'Light l1 is under maintenance.',
  });

const server = new ApolloServer<{ viewer: Viewer }>({
  schema: applyAccessRules(
    buildSubgraphSchema([
      {
        typeDefs,
        resolvers: {
          Query: { reports: () => reports, light: () => null },
          Mutation: {
            setPlan: () => {
              throw maintenance();
            },
            open: () => Promise.reject(maintenance()),
          },
          Report: { id: (doc: { _id: string }) => doc._id },
          Plan: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              cycle: 90,
            }),
          },
        } as never,
      },
    ]),
    { dataSubjects: { Report: (doc) => (doc as { by: string }).by } },
  ),
  plugins: [enforcementReportPlugin()],
  logger: createSilentLogger(),
});

async function run(query: string, viewer: Viewer = anonymousViewer) {
  const response = await server.executeOperation(
    { query },
    { contextValue: { viewer } },
  );
  if (response.body.kind !== 'single') throw new Error('expected single');
  const { extensions, errors, data } = response.body.singleResult;
  return {
    data,
    errors,
    report: extensions?.[ENFORCEMENT_EXTENSION] as
      EnforcementReport | undefined,
  };
}

const pii = withPurpose(
  createViewer('staff-01', ['engagement:staff', 'engagement:pii']),
  'report-follow-up',
);
const controller = createViewer('ctl-01', ['mobility:control']);

describe('enforcement report', () => {
  it('reports each protected field evaluated, with its decision and rule', async () => {
    expect(
      (await run('{ reports { reporterEmail } }')).report?.decisions,
    ).toEqual([
      {
        coordinate: 'Report.reporterEmail',
        decision: 'denied',
        rule: 'scope engagement:pii',
      },
    ]);
    expect(
      (await run('{ reports { reporterEmail } }', pii)).report?.decisions,
    ).toEqual([
      {
        coordinate: 'Report.reporterEmail',
        decision: 'allowed',
        rule: 'scope engagement:pii; purpose report-follow-up',
      },
    ]);
  });

  it('names each record a protected field was served on by its key and data subject, never a value', async () => {
    const { report } = await run('{ reports { title reporterEmail } }', pii);
    expect(report?.records).toEqual([
      {
        type: 'Report',
        id: 'r1',
        subject: 'citizen-01',
        fields: ['Report.reporterEmail'],
        personalData: true,
      },
      {
        type: 'Report',
        id: 'r2',
        subject: 'citizen-02',
        fields: ['Report.reporterEmail'],
        personalData: true,
      },
    ]);
    expect(JSON.stringify(report)).not.toMatch(/x@y\.fr|z@y\.fr/);
  });

  it('reports nothing for public fields only', async () => {
    expect((await run('{ reports { id title } }', pii)).report).toBeUndefined();
  });

  it('records a document rule refusal as a denial by that rule, not as allowed by the scope', async () => {
    const result = await run(
      'mutation { setPlan(id: "l1") { id } }',
      controller,
    );
    expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(result.report?.decisions).toEqual([
      {
        coordinate: 'Mutation.setPlan',
        decision: 'denied',
        rule: 'document rule canSetPlan (not under maintenance)',
      },
    ]);
  });

  it('records a document rule refusal on a field without a schema rule (async)', async () => {
    const result = await run('mutation { open(id: "l1") }', controller);
    expect(result.report?.decisions).toEqual([
      {
        coordinate: 'Mutation.setPlan',
        decision: 'denied',
        rule: 'document rule canSetPlan (not under maintenance)',
      },
    ]);
  });

  it('reports protected entities resolved by reference, with their keys', async () => {
    const staff = createViewer('s', ['mobility:staff']);
    const { report } = await run(
      '{ _entities(representations: [{ __typename: "Plan", id: "p1" }]) { ... on Plan { cycle } } }',
      staff,
    );
    expect(report?.decisions).toEqual([
      { coordinate: 'Plan', decision: 'allowed', rule: 'scope mobility:staff' },
      {
        coordinate: 'Plan.cycle',
        decision: 'allowed',
        rule: 'scope mobility:staff',
      },
    ]);
    expect(report?.records).toEqual([
      {
        type: 'Plan',
        id: 'p1',
        subject: null,
        fields: ['Plan', 'Plan.cycle'],
        personalData: false,
      },
    ]);
    const denied = await run(
      '{ _entities(representations: [{ __typename: "Plan", id: "p1" }]) { ... on Plan { cycle } } }',
    );
    expect(denied.report).toEqual({
      decisions: [
        {
          coordinate: 'Plan',
          decision: 'denied',
          rule: 'scope mobility:staff',
        },
      ],
      records: [],
    });
  });
});
