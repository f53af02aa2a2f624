/** Environment's models, bound to the subgraph's own connection. */
import type { Connection } from 'mongoose';
import { createSharedModels } from '../../../../lib/subgraph-kit/models/createSharedModels.js';
import {
  airQualityObservedSchema,
  type AirQualityObservedDoc,
} from './AirQualityObserved.js';
import {
  airQualityStationSchema,
  type AirQualityStationDoc,
} from './AirQualityStation.js';
import {
  noiseLevelObservedSchema,
  type NoiseLevelObservedDoc,
} from './NoiseLevelObserved.js';
import {
  renewableEnergyProjectSchema,
  type RenewableEnergyProjectDoc,
} from './RenewableEnergyProject.js';
import {
  waterConsumptionObservedSchema,
  type WaterConsumptionObservedDoc,
} from './WaterConsumptionObserved.js';
import {
  waterLeakAlertSchema,
  type WaterLeakAlertDoc,
} from './WaterLeakAlert.js';
import { waterMeterSchema, type WaterMeterDoc } from './WaterMeter.js';

/** Compiles the models on `connection` (once per connection). */
export function createModels(connection: Connection) {
  return {
    ...createSharedModels(connection),
    AirQualityStation: connection.model<AirQualityStationDoc>(
      'AirQualityStation',
      airQualityStationSchema,
    ),
    AirQualityObserved: connection.model<AirQualityObservedDoc>(
      'AirQualityObserved',
      airQualityObservedSchema,
    ),
    NoiseLevelObserved: connection.model<NoiseLevelObservedDoc>(
      'NoiseLevelObserved',
      noiseLevelObservedSchema,
    ),
    WaterMeter: connection.model<WaterMeterDoc>('WaterMeter', waterMeterSchema),
    WaterConsumptionObserved: connection.model<WaterConsumptionObservedDoc>(
      'WaterConsumptionObserved',
      waterConsumptionObservedSchema,
    ),
    WaterLeakAlert: connection.model<WaterLeakAlertDoc>(
      'WaterLeakAlert',
      waterLeakAlertSchema,
    ),
    RenewableEnergyProject: connection.model<RenewableEnergyProjectDoc>(
      'RenewableEnergyProject',
      renewableEnergyProjectSchema,
    ),
  };
}

export type {
  AirQualityObservedDoc,
  AirQualityStationDoc,
  NoiseLevelObservedDoc,
  RenewableEnergyProjectDoc,
  WaterConsumptionObservedDoc,
  WaterLeakAlertDoc,
  WaterMeterDoc,
};

/** Every environment model. */
export type EnvironmentModels = ReturnType<typeof createModels>;
