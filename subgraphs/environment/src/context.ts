/** Environment's request context: the base context plus this request's loaders. */
import type { IngestPipeline } from '../../../lib/ingest/createIngestPipeline.js';
import type { RollupSettings } from '../../../lib/subgraph-kit/rollupJob.js';
import type { SubgraphContext } from '../../../lib/subgraph-kit/subgraphService.js';
import { createLoaders, type EnvironmentLoaders } from './loaders/index.js';
import type { EnvironmentModels } from './models/index.js';
import { createQueries, type EnvironmentQueries } from './queries/index.js';

/** What every environment resolver receives. */
export interface EnvironmentContext extends SubgraphContext {
  models: EnvironmentModels;
  loaders: EnvironmentLoaders;
  queries: EnvironmentQueries;
}

/** Builds the context of one request. */
export function createContext(
  base: SubgraphContext,
  models: EnvironmentModels,
  ingest?: IngestPipeline,
  rollups?: RollupSettings,
): EnvironmentContext {
  return {
    ...base,
    models,
    loaders: createLoaders(models, rollups),
    queries: createQueries(models, ingest),
  };
}
