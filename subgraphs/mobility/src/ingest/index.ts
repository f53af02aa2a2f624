/**
 * Mobility's ingestion: the FIWARE types it owns, each mapped onto its own
 * models by one handler file (the same shape in every department).
 */
import type { IngestPipeline } from '../../../../lib/ingest/createIngestPipeline.js';
import { createDepartmentIngest } from '../../../../lib/subgraph-kit/departmentIngest.js';
import type { SubgraphDeps } from '../../../../lib/subgraph-kit/subgraphService.js';
import type { MobilityModels } from '../models/index.js';
import { bikeHireDockingStationHandler } from './BikeHireDockingStation.js';
import { deviceHandler } from './Device.js';
import { gtfsRouteHandler, gtfsStopHandler } from './GtfsStop.js';
import {
  prepareTrafficReadings,
  trafficFlowObservedHandler,
} from './TrafficFlowObserved.js';

/** Mobility's ingestion pipeline. */
export function createIngest(
  models: MobilityModels,
  deps: SubgraphDeps,
): IngestPipeline {
  // At start, not at the first reading: the time-series check and the orphan
  // keys' repair run before ingestion is served (every store awaits them too).
  prepareTrafficReadings(models, deps.logger).catch((error: unknown) =>
    deps.logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      'traffic readings: storage not ready; retried at the next reading',
    ),
  );
  return createDepartmentIngest({
    department: 'mobility',
    handlers: [
      trafficFlowObservedHandler(models, deps.logger),
      bikeHireDockingStationHandler(models),
      deviceHandler(models),
    ],
    entityHandlers: [gtfsStopHandler(models), gtfsRouteHandler(models)],
    quarantine: models.QuarantinedRecord.collection,
    stats: models.IngestStat.collection,
    events: deps.events,
    logger: deps.logger,
  });
}
