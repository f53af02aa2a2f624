/**
 * What every subgraph server is made of: the schema from its own
 * `schema.graphql` with Federation, the access rules it declares enforced,
 * errors masked, and no reporting to any outside service.
 */
import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';
import {
  ApolloServer,
  type ApolloServerPlugin,
  type BaseContext,
} from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { applyAccessRules } from './access/index.js';
import { createFormatError, ForbiddenError } from './errors.js';
import type { Logger } from './logger.js';
import type { Connection } from 'mongoose';
import type { Viewer } from './viewer.js';

/** What every subgraph's request context has; each subgraph adds its loaders. */
export interface SubgraphContext extends BaseContext {
  /** The caller, as forwarded by the gateway. */
  viewer: Viewer;
  /** The gateway's request id, on every log line of this request. */
  requestId: string;
  /** Child logger bound to the request id. */
  logger: Logger;
  /**
   * The gateway audit event recorded before this request was sent (its
   * request id), carried by the gateway token; null when the gateway sent
   * none. Mutations are refused without it.
   */
  auditEvent: string | null;
}

/** Resolver map type of a subgraph. */
export type SubgraphResolvers<TContext> = GraphQLResolverMap<TContext>;

/** Reads and parses a subgraph's `schema.graphql`. */
export function loadSchema(url: URL): DocumentNode {
  return parse(readFileSync(url, 'utf8'));
}

/** Options of {@link createSubgraphApollo}. */
export interface SubgraphApolloOptions<TContext extends SubgraphContext> {
  typeDefs: DocumentNode;
  resolvers: SubgraphResolvers<TContext>;
  logger: Logger;
}

/** Builds the Apollo Server of a subgraph (not started, not listening). */
export function createSubgraphApollo<TContext extends SubgraphContext>(
  options: SubgraphApolloOptions<TContext>,
): ApolloServer<TContext> {
  const schema = applyAccessRules(
    buildSubgraphSchema([
      {
        typeDefs: options.typeDefs,
        resolvers: options.resolvers as GraphQLResolverMap<unknown>,
      },
    ]),
  );
  return new ApolloServer<TContext>({
    schema,
    // Never a stack trace in a response, whatever the mode: a subgraph
    // cannot tell the gateway from a direct caller before verifying the
    // token, and the gateway strips them anyway. They are in the log.
    includeStacktraceInErrorResponses: false,
    formatError: createFormatError({ logger: options.logger }),
    // Subgraphs are reached only through the gateway; nothing leaves the city's infrastructure.
    plugins: [
      writesNeedAuditLink<TContext>(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
    ],
    logger: options.logger,
  });
}

/**
 * A write is served only when its gateway token links it to the audit event
 * the gateway recorded before sending it, so no write can happen without a
 * gateway audit event (issue 9, finding 3).
 */
function writesNeedAuditLink<
  TContext extends SubgraphContext,
>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation === 'mutation' && !contextValue.auditEvent) {
            throw new ForbiddenError(
              'Writes are accepted only from the gateway, after it has recorded their audit event.',
            );
          }
        },
      };
    },
  };
}

/** What every subgraph's `createServer(deps)` receives; a subgraph may ask for more. */
export interface SubgraphServerDeps {
  /** The subgraph's own database. */
  connection: Connection;
  logger: Logger;
}

/** Options of {@link createSubgraphServer}. */
export interface SubgraphServerOptions<TContext extends SubgraphContext> {
  typeDefs: DocumentNode;
  /** The subgraph's resolver map (one file per type, joined in resolvers/index.ts). */
  resolvers: object;
  deps: SubgraphServerDeps;
  /** Adds the subgraph's own per-request parts (models, loaders) to the base context. */
  createContext: (base: SubgraphContext) => TContext;
}

/**
 * The body of every subgraph's `createServer`: its Apollo Server (rules
 * enforced, errors masked, no reporting) and its context factory.
 */
export function createSubgraphServer<TContext extends SubgraphContext>(
  options: SubgraphServerOptions<TContext>,
): {
  apollo: ApolloServer<TContext>;
  createContext: (base: SubgraphContext) => TContext;
} {
  const apollo = createSubgraphApollo<TContext>({
    typeDefs: options.typeDefs,
    resolvers: options.resolvers as SubgraphResolvers<TContext>,
    logger: options.deps.logger,
  });
  return { apollo, createContext: options.createContext };
}
