/** Economy's server factory: never listens, never reads the environment; tests import it. */
import {
  createSubgraphServer,
  loadSchema,
  type SubgraphDeps,
  type SubgraphServer,
} from '../../../lib/subgraph-kit/subgraphService.js';
import { createContext, type EconomyContext } from './context.js';
import { createIngest } from './ingest/index.js';
import { createModels } from './models/index.js';
import { resolvers } from './resolvers/index.js';

/** Economy's SDL, read once from schema.graphql. */
export const typeDefs = loadSchema(
  new URL('../schema.graphql', import.meta.url),
);

/** Builds economy's Apollo Server and its context factory. */
export function createServer(
  deps: SubgraphDeps,
): SubgraphServer<EconomyContext> {
  const models = createModels(deps.connection);
  const ingest = createIngest(models, deps);
  return createSubgraphServer({
    typeDefs,
    resolvers,
    deps,
    // Mutations record their events on what they change (pendingEvents.ts).
    pendingEventCollections: [models.Business.collection.collectionName],
    createContext: (base) => createContext(base, models, ingest),
    ingest,
  });
}
