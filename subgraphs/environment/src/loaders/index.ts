/** Environment's per-request loaders ([DL]: created once per request, never shared between viewers). */
import type { RollupSettings } from '../../../../lib/subgraph-kit/rollupJob.js';
import type { EnvironmentModels } from '../models/index.js';
import {
  airQualityTrendByStation,
  waterBalanceTrendByDistrict,
} from './trendsByKey.js';
import { airQualityReadingById } from './airQualityReadingById.js';
import { airQualityPagesByStation } from './airQualityPagesByStation.js';
import { airQualityStationById } from './airQualityStationById.js';
import { airQualityStationsByDistrict } from './airQualityStationsByDistrict.js';
import { airQualityWindowByStationHour } from './airQualityWindowByStationHour.js';
import { latestWaterReadingByMeter } from './latestWaterReadingByMeter.js';
import { leakAlertPagesByMeter } from './leakAlertPagesByMeter.js';
import { noiseLevelPagesByStation } from './noiseLevelPagesByStation.js';
import { openLeakAlertCountByDistrict } from './openLeakAlertCountByDistrict.js';
import { renewableEnergyProjectById } from './renewableEnergyProjectById.js';
import { renewableEnergyProjectsByDistrict } from './renewableEnergyProjectsByDistrict.js';
import { renewableEnergyProjectsByOperator } from './renewableEnergyProjectsByOperator.js';
import { waterBalanceByDistrict } from './waterBalanceByDistrict.js';
import { waterMeterById } from './waterMeterById.js';
import { waterReadingById } from './waterReadingById.js';
import { waterReadingPagesByMeter } from './waterReadingPagesByMeter.js';
import { waterMetersByDistrict } from './waterMetersByDistrict.js';

/** Creates a fresh set of loaders for one request. */
export function createLoaders(
  models: EnvironmentModels,
  rollups?: RollupSettings,
) {
  return {
    airQualityTrendByStation: airQualityTrendByStation(models, rollups),
    waterBalanceTrendByDistrict: waterBalanceTrendByDistrict(models, rollups),
    airQualityStationById: airQualityStationById(models),
    airQualityStationsByDistrict: airQualityStationsByDistrict(models),
    airQualityPagesByStation: airQualityPagesByStation(models),
    airQualityReadingById: airQualityReadingById(models),
    airQualityWindowByStationHour: airQualityWindowByStationHour(models),
    noiseLevelPagesByStation: noiseLevelPagesByStation(models),
    waterReadingPagesByMeter: waterReadingPagesByMeter(models),
    waterReadingById: waterReadingById(models),
    waterMeterById: waterMeterById(models),
    waterMetersByDistrict: waterMetersByDistrict(models),
    latestWaterReadingByMeter: latestWaterReadingByMeter(models),
    leakAlertPagesByMeter: leakAlertPagesByMeter(models),
    waterBalanceByDistrict: waterBalanceByDistrict(models, rollups),
    openLeakAlertCountByDistrict: openLeakAlertCountByDistrict(models),
    renewableEnergyProjectById: renewableEnergyProjectById(models),
    renewableEnergyProjectsByDistrict:
      renewableEnergyProjectsByDistrict(models),
    renewableEnergyProjectsByOperator:
      renewableEnergyProjectsByOperator(models),
  };
}

/** Environment's loaders. */
export type EnvironmentLoaders = ReturnType<typeof createLoaders>;
