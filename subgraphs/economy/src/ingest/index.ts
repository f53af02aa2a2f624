/**
 * Economy's ingestion: the types it owns, each mapped onto its own models by
 * one handler file (the same shape in every department).
 */
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import { DISTRICTS } from '../../../../lib/subgraph-kit/districts.js';
import { createDepartmentIngest } from '../../../../lib/subgraph-kit/departmentIngest.js';
import type { SubgraphDeps } from '../../../../lib/subgraph-kit/subgraphService.js';
import type { EconomyModels } from '../models/index.js';
import { businessHandler } from './Business.js';

/** Economy's ingestion pipeline. */
export function createIngest(
  models: EconomyModels,
  deps: SubgraphDeps,
): IngestPipeline {
  return createDepartmentIngest({
    department: 'economy',
    handlers: [],
    entityHandlers: [
      businessHandler(
        models,
        (code) => DISTRICTS.find((d) => d.code === code)?.center ?? null,
      ),
    ],
    quarantine: models.QuarantinedRecord.collection,
    stats: models.IngestStat.collection,
    events: deps.events,
    logger: deps.logger,
  });
}
