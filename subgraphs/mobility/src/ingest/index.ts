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
import { trafficFlowObservedHandler } from './TrafficFlowObserved.js';

/** Mobility's ingestion pipeline. */
export function createIngest(
  models: MobilityModels,
  deps: SubgraphDeps,
): IngestPipeline {
  return createDepartmentIngest({
    department: 'mobility',
    handlers: [
      trafficFlowObservedHandler(models),
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
