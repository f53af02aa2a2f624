/** Mobility's request context: the base context plus this request's loaders. */
import type { IngestPipeline } from '../../../lib/ingest/createIngestPipeline.js';
import type { RollupSettings } from '../../../lib/subgraph-kit/rollupJob.js';
import type { SubgraphContext } from '../../../lib/subgraph-kit/subgraphService.js';
import { createLoaders, type MobilityLoaders } from './loaders/index.js';
import type { MobilityModels } from './models/index.js';
import { createQueries, type MobilityQueries } from './queries/index.js';

/** What every mobility resolver receives. */
export interface MobilityContext extends SubgraphContext {
  models: MobilityModels;
  loaders: MobilityLoaders;
  queries: MobilityQueries;
}

/** Builds the context of one request. */
export function createContext(
  base: SubgraphContext,
  models: MobilityModels,
  ingest?: IngestPipeline,
  rollups?: RollupSettings,
): MobilityContext {
  return {
    ...base,
    models,
    loaders: createLoaders(models, rollups),
    queries: createQueries(models, ingest),
  };
}
