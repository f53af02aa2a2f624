/** Environment's server factory: never listens, never reads the environment; tests import it. */
import {
  createSubgraphServer,
  loadSchema,
  type SubgraphDeps,
  type SubgraphServer,
} from '../../../lib/subgraph-kit/subgraphService.js';
import { createAirQualityAnalysis } from './analysis/airQualityAnalysis.js';
import { createLeakAnalysis } from './analysis/leakAnalysis.js';
import type { Config } from '../../../lib/runtime/config.js';
import {
  createRollupJob,
  rollupSettings,
} from '../../../lib/subgraph-kit/rollupJob.js';
import { ENVIRONMENT_ROLLUPS } from './analysis/readingRollups.js';
import { createContext, type EnvironmentContext } from './context.js';
import { createIngest } from './ingest/index.js';
import { createModels } from './models/index.js';
import { resolvers } from './resolvers/index.js';

/** Environment's SDL, read once from schema.graphql. */
export const typeDefs = loadSchema(
  new URL('../schema.graphql', import.meta.url),
);

/**
 * Builds environment's Apollo Server and its context factory. Of the
 * configuration it reads the raw readings' retention.
 */
export function createServer(
  deps: SubgraphDeps,
  config?: Pick<Config, 'readings'> & Partial<Pick<Config, 'rollups'>>,
): SubgraphServer<EnvironmentContext> {
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
    // Air, noise and water rollups, recomputed from what ingest marks (docs/trends.md).
    rollups: createRollupJob({
      connection: deps.connection,
      series: ENVIRONMENT_ROLLUPS,
      logger: deps.logger,
      ...rollups,
    }),
    // Leak alerts record their events on themselves (pendingEvents.ts).
    pendingEventCollections: [models.WaterLeakAlert.collection.collectionName],
    analyses: [
      createLeakAnalysis({
        models,
        events: deps.events,
        logger: deps.logger,
      }),
      createAirQualityAnalysis({
        models,
        events: deps.events,
        logger: deps.logger,
      }),
    ],
  });
}
