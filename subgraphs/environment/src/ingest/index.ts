/**
 * Environment's ingestion: the FIWARE types it owns, each mapped onto its
 * own models by one handler file (the same shape in every department).
 */
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import { createDepartmentIngest } from '../../../../lib/subgraph-kit/departmentIngest.js';
import { prepareReadingStorage } from '../../../../lib/subgraph-kit/readingSeries.js';
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
  // At start, not at the first reading: the time-series checks and the
  // orphan keys' repair run before ingestion is served (every store awaits
  // them too).
  for (const readings of [
    models.AirQualityObserved,
    models.NoiseLevelObserved,
    models.WaterConsumptionObserved,
  ] as const)
    prepareReadingStorage({
      readings,
      keys: models.ReadingKey,
      logger: deps.logger,
    }).catch((error: unknown) =>
      deps.logger.error(
        {
          collection: readings.collection.collectionName,
          err: error instanceof Error ? error.message : String(error),
        },
        'readings: storage not ready; retried at the next reading',
      ),
    );
  return createDepartmentIngest({
    department: 'environment',
    handlers: [
      airQualityObservedHandler(models, deps.logger),
      noiseLevelObservedHandler(models, deps.logger),
      waterConsumptionObservedHandler(models, deps.logger),
    ],
    quarantine: models.QuarantinedRecord.collection,
    stats: models.IngestStat.collection,
    events: deps.events,
    logger: deps.logger,
  });
}
