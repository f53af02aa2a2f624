/** Governance's server factory: never listens, never reads the environment; tests import it. */
import {
  createSubgraphServer,
  loadSchema,
  type SubgraphDeps,
  type SubgraphServer,
} from '../../../lib/subgraph-kit/subgraphService.js';
import { createAccessRulesSource } from './accessRulesSource.js';
import { createContext, type GovernanceContext } from './context.js';
import { createModels } from './models/index.js';
import { resolvers } from './resolvers/index.js';

/** Governance's SDL, read once from schema.graphql. */
export const typeDefs = loadSchema(
  new URL('../schema.graphql', import.meta.url),
);

/** What {@link createServer} needs. */
export interface GovernanceDeps extends SubgraphDeps {
  /** The governance database (the one the gateway's audit trail writes to). */
  connection: SubgraphDeps['connection'];
  /** The composed supergraph the gateway serves (`config.gateway.supergraphPath`); re-read when it changes. */
  supergraphPath: string;
}

/** Builds governance's Apollo Server and its context factory. */
export function createServer(
  deps: GovernanceDeps,
): SubgraphServer<GovernanceContext> {
  const models = createModels(deps.connection);
  const accessRules = createAccessRulesSource(deps.supergraphPath);
  return createSubgraphServer({
    typeDefs,
    resolvers,
    deps,
    createContext: (base) => createContext(base, models, accessRules),
  });
}
