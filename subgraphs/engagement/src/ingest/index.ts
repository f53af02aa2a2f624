/**
 * Engagement's ingestion: the FIWARE types it owns, each mapped onto its own
 * models by one handler file (the same shape in every department).
 */
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import { createDepartmentIngest } from '../../../../lib/subgraph-kit/departmentIngest.js';
import type { SubgraphDeps } from '../../../../lib/subgraph-kit/subgraphService.js';
import type { EngagementModels } from '../models/index.js';
import { serviceRequestHandler } from './ServiceRequest.js';
import { socialMediaPostHandler } from './SocialMediaPost.js';

/** Engagement's ingestion pipeline. */
export function createIngest(
  models: EngagementModels,
  deps: SubgraphDeps,
): IngestPipeline {
  return createDepartmentIngest({
    department: 'engagement',
    handlers: [],
    entityHandlers: [
      serviceRequestHandler(models),
      socialMediaPostHandler(models),
    ],
    quarantine: models.QuarantinedRecord.collection,
    stats: models.IngestStat.collection,
    events: deps.events,
    logger: deps.logger,
  });
}
