/** Mobility's server factory: never listens, never reads the environment; tests import it. */
import {
  createSubgraphServer,
  loadSchema,
  type SubgraphDeps,
  type SubgraphServer,
} from '../../../lib/subgraph-kit/subgraphService.js';
import type { Config } from '../../../lib/runtime/config.js';
import {
  createRollupJob,
  rollupSettings,
} from '../../../lib/subgraph-kit/rollupJob.js';
import { createContext, type MobilityContext } from './context.js';
import { TRAFFIC_FLOW_ROLLUPS } from './analysis/congestionTrend.js';
import {
  createTrafficAnalysis,
  TRAFFIC_ANALYSIS_INTERVAL_MS,
} from './analysis/trafficAnalysis.js';
import { createIngest } from './ingest/index.js';
import { createModels } from './models/index.js';
import { createQueries } from './queries/index.js';
import { resolvers } from './resolvers/index.js';

/** Mobility's SDL, read once from schema.graphql. */
export const typeDefs = loadSchema(
  new URL('../schema.graphql', import.meta.url),
);

/**
 * Builds mobility's Apollo Server and its context factory. Of the
 * configuration it reads the raw readings' retention and the rollups'
 * settings.
 */
export function createServer(
  deps: SubgraphDeps,
  config?: Pick<Config, 'readings'> & Partial<Pick<Config, 'rollups'>>,
): SubgraphServer<MobilityContext> {
  const models = createModels(
    deps.connection,
    config ? { rawRetentionDays: config.readings.rawRetentionDays } : {},
  );
  const ingest = createIngest(models, deps);
  const rollups = rollupSettings(config);
  return createSubgraphServer({
    typeDefs,
    resolvers,
    deps,
    createContext: (base) => createContext(base, models, ingest, rollups),
    ingest,
    // Traffic rollups, recomputed from what ingest marks (docs/trends.md).
    rollups: createRollupJob({
      connection: deps.connection,
      series: [TRAFFIC_FLOW_ROLLUPS],
      logger: deps.logger,
      ...rollups,
    }),
    // Signal-plan changes record their event on the light (pendingEvents.ts).
    pendingEventCollections: [models.TrafficLight.collection.collectionName],
    analyses: [
      createTrafficAnalysis({
        queries: createQueries(models),
        events: deps.events,
        logger: deps.logger,
        minIntervalMs: TRAFFIC_ANALYSIS_INTERVAL_MS,
      }),
    ],
  });
}
