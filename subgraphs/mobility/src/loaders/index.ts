/** Mobility's per-request loaders ([DL]: created once per request, never shared between viewers). */
import type { RollupSettings } from '../../../../lib/subgraph-kit/rollupJob.js';
import type { MobilityModels } from '../models/index.js';
import { congestionTrendByDistrict } from './congestionTrendByDistrict.js';
import { bikeStationById } from './bikeStationById.js';
import { bikeStationsByDistrict } from './bikeStationsByDistrict.js';
import { trafficLightById } from './trafficLightById.js';
import { trafficReadingById } from './trafficReadingById.js';
import { trafficReadingPagesBySensor } from './trafficReadingPagesBySensor.js';
import { trafficLightsByDistrict } from './trafficLightsByDistrict.js';
import { trafficSensorById } from './trafficSensorById.js';
import { trafficSensorPagesByDistrict } from './trafficSensorPagesByDistrict.js';
import { trafficSensorsByDistrict } from './trafficSensorsByDistrict.js';
import { trafficSensorsNear } from './trafficSensorsNear.js';
import { transitLineById } from './transitLineById.js';
import { transitStopById } from './transitStopById.js';
import { transitStopsByDistrict } from './transitStopsByDistrict.js';
import { transitStopsNear } from './transitStopsNear.js';

/** Creates a fresh set of loaders for one request. */
export function createLoaders(
  models: MobilityModels,
  rollups?: RollupSettings,
) {
  return {
    congestionTrendByDistrict: congestionTrendByDistrict(models, rollups),
    trafficSensorById: trafficSensorById(models),
    trafficSensorsByDistrict: trafficSensorsByDistrict(models),
    trafficSensorPagesByDistrict: trafficSensorPagesByDistrict(models),
    trafficSensorsNear: trafficSensorsNear(models),
    trafficReadingPagesBySensor: trafficReadingPagesBySensor(models),
    trafficReadingById: trafficReadingById(models),
    trafficLightById: trafficLightById(models),
    trafficLightsByDistrict: trafficLightsByDistrict(models),
    transitLineById: transitLineById(models),
    transitStopById: transitStopById(models),
    transitStopsByDistrict: transitStopsByDistrict(models),
    transitStopsNear: transitStopsNear(models),
    bikeStationById: bikeStationById(models),
    bikeStationsByDistrict: bikeStationsByDistrict(models),
  };
}

/** Mobility's loaders. */
export type MobilityLoaders = ReturnType<typeof createLoaders>;
