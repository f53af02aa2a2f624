/**
 * Not a test: a one-subgraph city graph for the audit tests: its supergraph
 * SDL (composed with the real composition, so the rules are read as in
 * production), an executable schema with the same API, and gateway contexts.
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  applyAccessRules,
  enforcementReportOf,
} from '../../lib/records/access/index.js';
import type { GatewayContext } from '../src/context.js';
import {
  auditPlugin,
  type AuditPluginOptions,
} from '../src/plugins/auditPlugin.js';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import {
  createViewer,
  anonymousViewer,
  withPurpose,
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

  type Mutation {
    closeReport(id: ID!): Report @authenticated
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

  type Mutation {
    closeReport(id: ID!): Report
  }

  type Report {
    id: ID!
    title: String!
    reporterEmail: String
    internalNote: String
  }
`;

/**
 * The writes the fixture's `closeReport` ran, each with whether the audit
 * plugin had recorded its `started` event (`auditedWrite`) when it ran.
 */
export const fixtureWrites: { id: string; audited: boolean }[] = [];

const resolvers = {
  Mutation: {
    closeReport: (
      _: unknown,
      { id }: { id: string },
      context: GatewayContext,
    ) => {
      fixtureWrites.push({ id, audited: context.auditedWrite });
      return { id, title: 'Closed', reporterEmail: null, internalNote: 'n' };
    },
  },
  Query: {
    districts: () => ['13201', '13202'],
    reports: () => [
      {
        id: 'r1',
        title: 'Broken light',
        reporterEmail: 'a@b.fr',
        internalNote: 'n',
      },
      {
        id: 'r2',
        title: 'Leak',
        reporterEmail: 'c@d.fr',
        internalNote: 'n',
      },
      {
        id: 'r3',
        title: 'Pothole',
        reporterEmail: null,
        internalNote: 'n',
      },
    ],
  },
};

/**
 * Hands the in-process subgraph's enforcement report to the gateway context,
 * as the data source does with a subgraph's response extensions.
 */
function forwardEnforcement(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue }) {
          const report = enforcementReportOf(contextValue);
          if (report)
            contextValue.enforcement.push({ subgraph: 'engagement', report });
        },
      };
    },
  };
}

/** Options of {@link createAuditedServer}. */
export type AuditedServerOptions = AuditPluginOptions & {
  /**
   * Run the fixture as the engagement subgraph would, rules enforced and
   * reported (lib/records/access); `false` serves the bare API, as if no
   * subgraph reported anything.
   * @default true
   */
  readonly enforce?: boolean;
  /**
   * Plugins installed before the audit plugin, as the gateway installs its
   * limits (gateway/src/limits.ts) before it.
   * @default []
   */
  readonly before?: readonly ApolloServerPlugin<GatewayContext>[];
};

/**
 * An Apollo Server over the fixture's API with the audit plugin installed;
 * by default the subgraph's own enforcement runs in it and its report
 * reaches the plugin as it would through the data source.
 */
export function createAuditedServer(
  options: AuditedServerOptions,
): ApolloServer<GatewayContext> {
  const { enforce = true, before = [], ...pluginOptions } = options;
  if (!enforce) {
    return new ApolloServer<GatewayContext>({
      typeDefs: apiTypeDefs,
      resolvers,
      plugins: [...before, auditPlugin(pluginOptions)],
      logger: createSilentLogger(),
    });
  }
  const schema = applyAccessRules(
    buildSubgraphSchema([
      {
        typeDefs: parse(
          subgraphSdl('@requiresScopes(scopes: [["engagement:pii"]])'),
        ),
        resolvers,
      },
    ]),
  );
  return new ApolloServer<GatewayContext>({
    schema,
    // The report is handed over before the audit plugin builds its event.
    plugins: [forwardEnforcement(), ...before, auditPlugin(pluginOptions)],
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
    audit: { recorded: false },
    enforcement: [],
  };
}

/** Engagement staff cleared for personal data, following up a report. */
export const piiViewer = withPurpose(
  createViewer('staff-01', ['engagement:staff', 'engagement:pii']),
  'report-follow-up',
);
/** A signed-in citizen. */
export const citizenViewer = createViewer('citizen-01', ['citizen']);
