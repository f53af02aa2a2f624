/** Economy's server factory: never listens, never reads the environment; tests import it. */
import type { Connection } from 'mongoose';
import type { Logger } from '../../../lib/logger.js';
import {
  createSubgraphApollo,
  loadSchema,
  type SubgraphResolvers,
} from '../../../lib/subgraph.js';
import type { SubgraphServer } from '../../../lib/subgraphService.js';
import { createContext, type EconomyContext } from './context.js';
import { createModels } from './models/index.js';
import { resolvers } from './resolvers/index.js';

/** Economy's SDL, read once from schema.graphql. */
export const typeDefs = loadSchema(
  new URL('../schema.graphql', import.meta.url),
);

/** What {@link createServer} needs. */
export interface EconomyDeps {
  connection: Connection;
  logger: Logger;
  /** @default false */
  includeStacktrace?: boolean;
}

/** Builds economy's Apollo Server and its context factory. */
export function createServer(
  deps: EconomyDeps,
): SubgraphServer<EconomyContext> {
  const models = createModels(deps.connection);
  const apollo = createSubgraphApollo<EconomyContext>({
    typeDefs,
    resolvers: resolvers as unknown as SubgraphResolvers<EconomyContext>,
    logger: deps.logger,
    includeStacktrace: deps.includeStacktrace ?? false,
  });
  return { apollo, createContext: (base) => createContext(base, models) };
}
