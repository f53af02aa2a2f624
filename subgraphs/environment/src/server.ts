/** Environment's server factory: never listens, never reads process.env; tests import it. */
import type { Connection } from 'mongoose';
import type { Logger } from '../../../lib/logger.js';
import {
  createSubgraphApollo,
  loadSchema,
  type SubgraphResolvers,
} from '../../../lib/subgraph.js';
import type { SubgraphServer } from '../../../lib/subgraphService.js';
import { createContext, type EnvironmentContext } from './context.js';
import { createModels } from './models/index.js';
import { resolvers } from './resolvers/index.js';

/** Environment's SDL, read once from schema.graphql. */
export const typeDefs = loadSchema(
  new URL('../schema.graphql', import.meta.url),
);

/** What {@link createServer} needs. */
export interface EnvironmentDeps {
  connection: Connection;
  logger: Logger;
  /** @default false */
  includeStacktrace?: boolean;
}

/** Builds environment's Apollo Server and its context factory. */
export function createServer(
  deps: EnvironmentDeps,
): SubgraphServer<EnvironmentContext> {
  const models = createModels(deps.connection);
  const apollo = createSubgraphApollo<EnvironmentContext>({
    typeDefs,
    resolvers: resolvers as unknown as SubgraphResolvers<EnvironmentContext>,
    logger: deps.logger,
    includeStacktrace: deps.includeStacktrace ?? false,
  });
  return { apollo, createContext: (base) => createContext(base, models) };
}
