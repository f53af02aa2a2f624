/** Economy's request context: the base context plus this request's loaders. */
import type { IngestPipeline } from '../../../lib/ingest/createIngestPipeline.js';
import type { SubgraphContext } from '../../../lib/subgraph-kit/subgraphService.js';
import { createLoaders, type EconomyLoaders } from './loaders/index.js';
import type { EconomyModels } from './models/index.js';
import { createQueries, type EconomyQueries } from './queries/index.js';

/** What every economy resolver receives. */
export interface EconomyContext extends SubgraphContext {
  models: EconomyModels;
  loaders: EconomyLoaders;
  queries: EconomyQueries;
}

/** Builds the context of one request. */
export function createContext(
  base: SubgraphContext,
  models: EconomyModels,
  ingest?: IngestPipeline,
): EconomyContext {
  return {
    ...base,
    models,
    loaders: createLoaders(models),
    queries: createQueries(models, ingest),
  };
}
