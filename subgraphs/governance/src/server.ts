/** Governance's server factory: never listens, never reads the environment; tests import it. */
import type { Connection } from 'mongoose';
import type { Logger } from '../../../lib/logger.js';
import {
  createSubgraphApollo,
  loadSchema,
  type SubgraphResolvers,
} from '../../../lib/subgraph.js';
import type { SubgraphServer } from '../../../lib/subgraphService.js';
import { createAccessRulesSource } from './accessRulesSource.js';
import { createContext, type GovernanceContext } from './context.js';
import { createModels } from './models/index.js';
import { resolvers } from './resolvers/index.js';

/** Governance's SDL, read once from schema.graphql. */
export const typeDefs = loadSchema(
  new URL('../schema.graphql', import.meta.url),
);

/** What {@link createServer} needs. */
export interface GovernanceDeps {
  /** The governance database (the one the gateway's audit trail writes to). */
  connection: Connection;
  logger: Logger;
  /** The composed supergraph the gateway serves (`config.gateway.supergraphPath`); re-read when it changes. */
  supergraphPath: string;
  /** @default false */
  includeStacktrace?: boolean;
}

/** Builds governance's Apollo Server and its context factory. */
export function createServer(
  deps: GovernanceDeps,
): SubgraphServer<GovernanceContext> {
  const models = createModels(deps.connection);
  const accessRules = createAccessRulesSource(deps.supergraphPath);
  const apollo = createSubgraphApollo<GovernanceContext>({
    typeDefs,
    resolvers: resolvers as unknown as SubgraphResolvers<GovernanceContext>,
    logger: deps.logger,
    includeStacktrace: deps.includeStacktrace ?? false,
  });
  return {
    apollo,
    createContext: (base) => createContext(base, models, accessRules),
  };
}
