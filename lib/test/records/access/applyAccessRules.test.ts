import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { metricsRegistry } from '../../../runtime/metrics.js';
import { policiesForScopes } from '../../../runtime/roles.js';
import {
  anonymousViewer,
  createViewer,
  withPurpose,
  type Viewer,
} from '../../../runtime/viewer.js';
import { applyAccessRules } from '../../../records/access/applyAccessRules.js';
import { readAccessRules } from '../../../records/access/readAccessRules.js';

const typeDefs = parse(/* GraphQL */ `
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
      ]
    )

  type Query {
    districts: [District!]!
    reports: [CitizenReport!]!
    lights: [TrafficLight!]! @authenticated
    signalPlan(id: ID!): SignalPlan
  }

  type Mutation {
    retimeLight(id: ID!): TrafficLight
      @requiresScopes(scopes: [["mobility:staff", "mobility:control"]])
  }

  type District @key(fields: "code") {
    code: ID!
    name: String!
  }

  type CitizenReport @key(fields: "id") {
    id: ID!
    description: String!
    reporterEmail: String
      @requiresScopes(scopes: [["engagement:pii"]])
      @tag(name: "personal-data")
    internalNote: String @policy(policies: [["city-staff"]])
  }

  type TrafficLight @key(fields: "id") {
    id: ID!
    plan: SignalPlan
  }

  type SignalPlan
    @key(fields: "id")
    @requiresScopes(scopes: [["mobility:staff"]]) {
    id: ID!
    cycleSeconds: Int
  }
`);

const calls = {
  reporterEmail: vi.fn((report: { email: string }) => report.email),
  signalPlan: vi.fn((_: unknown, { id }: { id: string }) => ({
    id,
    cycleSeconds: 90,
  })),
  resolveSignalPlan: vi.fn((ref: { id: string }) => ({
    id: ref.id,
    cycleSeconds: 60,
  })),
  resolveReport: vi.fn((ref: { id: string }) => ({
    id: ref.id,
    description: 'Broken light',
    email: 'a@example.org',
  })),
  retimeLight: vi.fn((_: unknown, { id }: { id: string }) => ({ id })),
};

const resolvers = {
  Query: {
    districts: () => [{ code: '13201', name: '1er' }],
    reports: () => [
      { id: 'r1', description: 'Pothole', email: 'one@example.org' },
      { id: 'r2', description: 'Graffiti', email: 'two@example.org' },
    ],
    lights: () => [{ id: 'l1' }],
    signalPlan: calls.signalPlan,
  },
  Mutation: { retimeLight: calls.retimeLight },
  CitizenReport: {
    __resolveReference: calls.resolveReport,
    reporterEmail: calls.reporterEmail,
    internalNote: () => 'call back',
  },
  TrafficLight: { plan: () => ({ id: 'p1', cycleSeconds: 90 }) },
  SignalPlan: { __resolveReference: calls.resolveSignalPlan },
};

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let server: ApolloServer<{ viewer: Viewer }>;

beforeAll(async () => {
  const schema = applyAccessRules(
    buildSubgraphSchema([{ typeDefs, resolvers: resolvers as never }]),
  );
  server = new ApolloServer<{ viewer: Viewer }>({ schema, logger: silent });
  await server.start();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  for (const fn of Object.values(calls)) fn.mockClear();
});

function viewerWith(...scopes: string[]): Viewer {
  return createViewer('user-1', scopes, policiesForScopes(scopes));
}

async function run(
  query: string,
  viewer: Viewer,
  variables: Record<string, unknown> = {},
) {
  const response = await server.executeOperation(
    { query, variables },
    { contextValue: { viewer } },
  );
  if (response.body.kind !== 'single') throw new Error('incremental response');
  return response.body.singleResult;
}

describe('applyAccessRules', () => {
  it('answers public fields to anonymous callers', async () => {
    const result = await run('{ districts { code name } }', anonymousViewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      districts: [{ code: '13201', name: '1er' }],
    });
  });

  it('denies a field: null, one FORBIDDEN error, rest answers, resolver not called', async () => {
    const result = await run(
      '{ reports { id description reporterEmail } districts { code } }',
      viewerWith('engagement:staff'),
    );
    expect(result.data).toEqual({
      reports: [
        { id: 'r1', description: 'Pothole', reporterEmail: null },
        { id: 'r2', description: 'Graffiti', reporterEmail: null },
      ],
      districts: [{ code: '13201' }],
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      message:
        'Access to CitizenReport.reporterEmail requires scope engagement:pii',
      path: ['reports', 0, 'reporterEmail'],
      extensions: {
        code: 'FORBIDDEN',
        coordinate: 'CitizenReport.reporterEmail',
      },
    });
    expect(calls.reporterEmail).not.toHaveBeenCalled();
  });

  it('counts each denial in access_denials_total by rule and code', async () => {
    const denials = async () =>
      (
        (await metricsRegistry.getSingleMetric('access_denials_total')?.get())
          ?.values ?? []
      )
        .filter(
          (value) =>
            value.labels['rule'] === 'scope engagement:pii' &&
            value.labels['code'] === 'FORBIDDEN',
        )
        .reduce((sum, value) => sum + value.value, 0);
    const before = await denials();
    await run('{ reports { reporterEmail } }', viewerWith('engagement:staff'));
    expect(await denials()).toBe(before + 1);
  });

  it('denies anonymous callers with UNAUTHENTICATED', async () => {
    const result = await run(
      '{ reports { id reporterEmail } }',
      anonymousViewer,
    );
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(calls.reporterEmail).not.toHaveBeenCalled();
  });

  it('treats a context without viewer as anonymous', async () => {
    const response = await server.executeOperation(
      { query: '{ reports { reporterEmail } }' },
      { contextValue: {} as { viewer: Viewer } },
    );
    if (response.body.kind !== 'single') throw new Error('incremental');
    expect(response.body.singleResult.errors?.[0]?.extensions?.['code']).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('allows the personal-data field with the scope and a purpose of the role', async () => {
    const result = await run(
      '{ reports { reporterEmail } }',
      withPurpose(
        viewerWith('engagement:staff', 'engagement:pii'),
        'report-follow-up',
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      reports: [
        { reporterEmail: 'one@example.org' },
        { reporterEmail: 'two@example.org' },
      ],
    });
  });

  it('refuses a personal-data field without a declared purpose, with a clear message', async () => {
    const result = await run(
      '{ reports { reporterEmail } }',
      viewerWith('engagement:staff', 'engagement:pii'),
    );
    expect(result.data).toEqual({
      reports: [{ reporterEmail: null }, { reporterEmail: null }],
    });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message:
          "CitizenReport.reporterEmail is personal data: declare the purpose of this request in the x-data-purpose header (your role's purposes are data-subject-request, report-follow-up, workshop-organisation).",
        extensions: expect.objectContaining({
          code: 'FORBIDDEN',
          coordinate: 'CitizenReport.reporterEmail',
        }) as unknown,
      }),
    ]);
  });

  it("refuses a personal-data field for a purpose the caller's role lacks", async () => {
    const other = await run(
      '{ reports { reporterEmail } }',
      withPurpose(
        viewerWith('engagement:staff', 'engagement:pii'),
        'marketing',
      ),
    );
    expect(other.errors?.[0]?.message).toBe(
      'CitizenReport.reporterEmail is personal data and may not be read for the purpose "marketing": your role\'s purposes are data-subject-request, report-follow-up, workshop-organisation.',
    );
    // The scope alone, outside any role with purposes: no purpose passes.
    const bare = await run(
      '{ reports { reporterEmail } }',
      withPurpose(viewerWith('engagement:pii'), 'report-follow-up'),
    );
    expect(bare.errors?.[0]?.message).toMatch(
      /may not be read for the purpose "report-follow-up": your role has no purpose for personal data/,
    );
  });

  it('enforces @policy through the policies derived from scopes', async () => {
    const denied = await run(
      '{ reports { internalNote } }',
      viewerWith('citizen'),
    );
    expect(denied.errors?.[0]).toMatchObject({
      message:
        'Access to CitizenReport.internalNote requires policy city-staff',
      extensions: { code: 'FORBIDDEN' },
    });
    const allowed = await run(
      '{ reports { internalNote } }',
      viewerWith('economy:staff'),
    );
    expect(allowed.errors).toBeUndefined();
  });

  it('enforces @authenticated on a field', async () => {
    const denied = await run('{ lights { id } }', anonymousViewer);
    expect(denied.data).toBeNull(); // lights is non-null: null propagates
    expect(denied.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const allowed = await run('{ lights { id } }', viewerWith());
    expect(allowed.data).toEqual({ lights: [{ id: 'l1' }] });
  });

  it('protects fields returning a protected type, without calling their resolver', async () => {
    const result = await run(
      '{ signalPlan(id: "p1") { id } }',
      viewerWith('citizen'),
    );
    expect(result.data).toEqual({ signalPlan: null });
    expect(result.errors?.[0]).toMatchObject({
      message: 'Access to Query.signalPlan requires scope mobility:staff',
      extensions: { code: 'FORBIDDEN' },
    });
    expect(calls.signalPlan).not.toHaveBeenCalled();
  });

  it('protects a reference to a protected type from another type', async () => {
    const result = await run(
      '{ lights { id plan { cycleSeconds } } }',
      viewerWith('citizen'),
    );
    expect(result.data).toEqual({ lights: [{ id: 'l1', plan: null }] });
    expect(result.errors?.[0]?.extensions?.['coordinate']).toBe(
      'TrafficLight.plan',
    );
  });

  it('requires every scope of an AND group on mutations, without running them', async () => {
    const mutation = 'mutation { retimeLight(id: "l1") { id } }';
    const denied = await run(mutation, viewerWith('mobility:staff'));
    expect(denied.errors?.[0]).toMatchObject({
      message:
        'Access to Mutation.retimeLight requires scopes mobility:control and mobility:staff',
      extensions: { code: 'FORBIDDEN' },
    });
    expect(calls.retimeLight).not.toHaveBeenCalled();
    const allowed = await run(
      mutation,
      viewerWith('mobility:staff', 'mobility:control'),
    );
    expect(allowed.data).toEqual({ retimeLight: { id: 'l1' } });
  });

  describe('_entities', () => {
    const entities = /* GraphQL */ `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on SignalPlan {
            id
            cycleSeconds
          }
          ... on CitizenReport {
            id
            description
          }
        }
      }
    `;

    it('denies a protected entity type without resolving it, keeping allowed entries', async () => {
      const result = await run(entities, viewerWith('citizen'), {
        representations: [
          { __typename: 'CitizenReport', id: 'r1' },
          { __typename: 'SignalPlan', id: 'p1' },
          { __typename: 'CitizenReport', id: 'r2' },
          { __typename: 'SignalPlan', id: 'p2' },
        ],
      });
      expect(result.data).toEqual({
        _entities: [
          { id: 'r1', description: 'Broken light' },
          null,
          { id: 'r2', description: 'Broken light' },
          null,
        ],
      });
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]).toMatchObject({
        message: 'Access to SignalPlan requires scope mobility:staff',
        path: ['_entities', 1],
        extensions: { code: 'FORBIDDEN', coordinate: 'SignalPlan' },
      });
      expect(calls.resolveSignalPlan).not.toHaveBeenCalled();
      expect(calls.resolveReport).toHaveBeenCalledTimes(2);
    });

    it('denies anonymous callers with UNAUTHENTICATED', async () => {
      const result = await run(entities, anonymousViewer, {
        representations: [{ __typename: 'SignalPlan', id: 'p1' }],
      });
      expect(result.data).toEqual({ _entities: [null] });
      expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect(calls.resolveSignalPlan).not.toHaveBeenCalled();
    });

    it('resolves a protected entity type with the scope', async () => {
      const result = await run(entities, viewerWith('mobility:staff'), {
        representations: [{ __typename: 'SignalPlan', id: 'p1' }],
      });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        _entities: [{ id: 'p1', cycleSeconds: 60 }],
      });
    });

    it('still enforces field rules on entities it resolves', async () => {
      const result = await run(
        /* GraphQL */ `
          query ($representations: [_Any!]!) {
            _entities(representations: $representations) {
              ... on CitizenReport {
                id
                reporterEmail
              }
            }
          }
        `,
        viewerWith('citizen'),
        { representations: [{ __typename: 'CitizenReport', id: 'r1' }] },
      );
      expect(result.data).toEqual({
        _entities: [{ id: 'r1', reporterEmail: null }],
      });
      expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(calls.reporterEmail).not.toHaveBeenCalled();
    });
  });

  it('is idempotent', () => {
    const schema = buildSubgraphSchema([
      { typeDefs, resolvers: resolvers as never },
    ]);
    applyAccessRules(schema);
    const wrapped = schema.getQueryType()?.getFields()['signalPlan']?.resolve;
    applyAccessRules(schema);
    expect(schema.getQueryType()?.getFields()['signalPlan']?.resolve).toBe(
      wrapped,
    );
  });
});

describe('readAccessRules of a subgraph schema', () => {
  const build = (sdl: string) =>
    buildSubgraphSchema([{ typeDefs: parse(sdl) }]);

  it('reads the effective rule of every field, public ones included', () => {
    const rules = readAccessRules(
      buildSubgraphSchema([{ typeDefs, resolvers: resolvers as never }]),
    );
    expect(rules.byCoordinate.get('District.name')?.rule).toEqual({
      authenticated: false,
      scopes: [],
      policies: [],
    });
    expect(rules.byCoordinate.get('TrafficLight.plan')?.rule.scopes).toEqual([
      ['mobility:staff'],
    ]);
    expect(
      rules.byCoordinate.get('SignalPlan.cycleSeconds')?.rule.scopes,
    ).toEqual([['mobility:staff']]);
    expect([...rules.types.keys()]).toEqual(['SignalPlan']);
    expect(rules.byCoordinate.get('CitizenReport.reporterEmail')?.tags).toEqual(
      ['personal-data'],
    );
    expect(rules.byCoordinate.has('Query._entities')).toBe(false);
  });

  it('reads @federation__-prefixed and renamed directives, and type extensions', () => {
    const rules = readAccessRules(
      build(/* GraphQL */ `
        extend schema
          @link(
            url: "https://specs.apollo.dev/federation/v2.9"
            import: ["@key", { name: "@requiresScopes", as: "@scopes" }]
          )
        type Query {
          a: Int @federation__authenticated
          b: Int @scopes(scopes: [["audit:read"]])
          c: Int @federation__policy(policies: [["auditor"]])
        }
        extend type Query {
          d: Int @scopes(scopes: [["citizen"]])
        }
      `),
    );
    expect(rules.byCoordinate.get('Query.a')?.rule.authenticated).toBe(true);
    expect(rules.byCoordinate.get('Query.b')?.rule.scopes).toEqual([
      ['audit:read'],
    ]);
    expect(rules.byCoordinate.get('Query.c')?.rule.policies).toEqual([
      ['auditor'],
    ]);
    expect(rules.byCoordinate.get('Query.d')?.rule.scopes).toEqual([
      ['citizen'],
    ]);
  });

  it('refuses a scope or policy outside the vocabulary of lib/runtime/roles.ts', () => {
    const sdl = (directive: string) => /* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@requiresScopes", "@policy"])
      type Query { a: Int ${directive} }
    `;
    expect(() =>
      readAccessRules(
        build(sdl('@requiresScopes(scopes: [["engagment:pii"]])')),
      ),
    ).toThrow(/Query\.a: unknown scope "engagment:pii"/);
    expect(() =>
      readAccessRules(build(sdl('@policy(policies: [["staff"]])'))),
    ).toThrow(/unknown policy "staff"/);
    expect(
      readAccessRules(build(sdl('@policy(policies: [["staff"]])')), {
        knownPolicies: null,
      }).byCoordinate.get('Query.a')?.rule.policies,
    ).toEqual([['staff']]);
  });
});
