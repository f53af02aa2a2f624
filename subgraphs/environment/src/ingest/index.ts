/**
 * Environment's ingestion: the FIWARE types it owns, each mapped onto its
 * own models by one handler file (the same shape in every department).
 */
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import { createDepartmentIngest } from '../../../../lib/subgraph-kit/departmentIngest.js';
import type { SubgraphDeps } from '../../../../lib/subgraph-kit/subgraphService.js';
import type { EnvironmentModels } from '../models/index.js';
import { airQualityObservedHandler } from './AirQualityObserved.js';
import { noiseLevelObservedHandler } from './NoiseLevelObserved.js';
import { waterConsumptionObservedHandler } from './WaterConsumptionObserved.js';

/** Environment's ingestion pipeline. */
export function createIngest(
  models: EnvironmentModels,
  deps: SubgraphDeps,
): IngestPipeline {
  return createDepartmentIngest({
    department: 'environment',
    handlers: [
      airQualityObservedHandler(models),
      noiseLevelObservedHandler(models),
      waterConsumptionObservedHandler(models),
    ],
    quarantine: models.QuarantinedRecord.collection,
    stats: models.IngestStat.collection,
    events: deps.events,
    logger: deps.logger,
  });
}
