/**
 * Not a test: a one-subgraph city graph for the audit tests: its supergraph
 * SDL (composed with the real composition, so the rules are read as in
 * production), an executable schema with the same API, and gateway contexts.
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../src/context.js';
import {
  auditPlugin,
  type AuditPluginOptions,
} from '../src/plugins/auditPlugin.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import {
  createViewer,
  anonymousViewer,
  type Viewer,
} from '../../lib/runtime/viewer.js';

const subgraphSdl = (piiRule: string) => /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.9"
      import: ["@key", "@authenticated", "@requiresScopes", "@policy", "@tag"]
    )

  type Query {
    districts: [String!]!
    reports(email: String): [Report!]!
  }

  type Report @key(fields: "id") {
    id: ID!
    title: String!
    reporterEmail: String ${piiRule} @tag(name: "personal-data")
    internalNote: String @authenticated
  }
`;

/** Composes the fixture's supergraph; `piiPublic` drops the rule on `Report.reporterEmail`. */
export function fixtureSupergraphSdl(piiPublic = false): string {
  const result = composeServices([
    {
      name: 'engagement',
      url: 'http://127.0.0.1:1/graphql',
      typeDefs: parse(
        subgraphSdl(
          piiPublic ? '' : '@requiresScopes(scopes: [["engagement:pii"]])',
        ),
      ),
    },
  ]);
  if (result.errors)
    throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

/** The API schema of the fixture, executable. */
const apiTypeDefs = /* GraphQL */ `
  type Query {
    districts: [String!]!
    reports(email: String): [Report!]!
  }

  type Report {
    id: ID!
    title: String!
    reporterEmail: String
    internalNote: String
  }
`;

const resolvers = {
  Query: {
    districts: () => ['13201', '13202'],
    reports: () => [
      {
        id: 'r1',
        title: 'Broken light',
        reporterEmail: 'a@b.fr',
        internalNote: 'n',
      },
    ],
  },
};

/** An Apollo Server over the fixture's API with the audit plugin installed. */
export function createAuditedServer(
  options: AuditPluginOptions,
): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    typeDefs: apiTypeDefs,
    resolvers,
    plugins: [auditPlugin(options)],
    logger: createSilentLogger(),
  });
}

/** A gateway context for `viewer`. */
export function gatewayContext(
  viewer: Viewer = anonymousViewer,
  requestId = 'req-1',
): GatewayContext {
  return {
    viewer,
    requestId,
    logger: createSilentLogger(),
    clientName: 'dashboard',
    clientVersion: '1.0.0',
    subgraphsCalled: new Set(['engagement']),
    clientRequestId: null,
    auditedWrite: false,
    auditRecorded: false,
  };
}

/** Engagement staff cleared for personal data. */
export const piiViewer = createViewer('staff-01', [
  'engagement:staff',
  'engagement:pii',
]);
/** A signed-in citizen. */
export const citizenViewer = createViewer('citizen-01', ['citizen']);
