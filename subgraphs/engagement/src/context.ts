/** Engagement's request context: the base context plus this request's loaders and clock. */
import type { RetentionJob } from '../../../lib/subgraph-kit/retention.js';
import type { IngestPipeline } from '../../../lib/ingest/createIngestPipeline.js';
import type { SubgraphContext } from '../../../lib/subgraph-kit/subgraphService.js';
import { createLoaders, type EngagementLoaders } from './loaders/index.js';
import type { EngagementModels } from './models/index.js';
import { createQueries, type EngagementQueries } from './queries/index.js';

/** What every engagement resolver receives. */
export interface EngagementContext extends SubgraphContext {
  models: EngagementModels;
  loaders: EngagementLoaders;
  queries: EngagementQueries;
  /** The current time (injectable so rules such as "enrolment closes at the start" are testable). */
  now: () => Date;
  /** The retention job, which also erases a citizen's personal data on request. */
  retention?: RetentionJob | undefined;
}

/** Builds the context of one request. */
export function createContext(
  base: SubgraphContext,
  models: EngagementModels,
  now: () => Date,
  ingest?: IngestPipeline,
  retention?: RetentionJob,
): EngagementContext {
  return {
    ...base,
    models,
    loaders: createLoaders(models, now),
    queries: createQueries(models, ingest),
    now,
    retention,
  };
}
