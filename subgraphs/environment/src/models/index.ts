/** Environment's models, bound to the subgraph's own connection. */
import type { Connection } from 'mongoose';
import { createSharedModels } from '../../../../lib/subgraph-kit/models/createSharedModels.js';
import type { ReadingKeyDoc } from '../../../../lib/ingest/storeObservations.js';
import { DEFAULT_RAW_RETENTION_DAYS } from '../../../../lib/runtime/config.js';
import { createReadingKeySchema } from '../../../../lib/subgraph-kit/models/ReadingKey.js';
import {
  createAirQualityObservedSchema,
  type AirQualityObservedDoc,
} from './AirQualityObserved.js';
import {
  airQualityStationSchema,
  type AirQualityStationDoc,
} from './AirQualityStation.js';
import {
  createNoiseLevelObservedSchema,
  type NoiseLevelObservedDoc,
} from './NoiseLevelObserved.js';
import {
  renewableEnergyProjectSchema,
  type RenewableEnergyProjectDoc,
} from './RenewableEnergyProject.js';
import {
  createWaterConsumptionObservedSchema,
  type WaterConsumptionObservedDoc,
} from './WaterConsumptionObserved.js';
import {
  waterLeakAlertSchema,
  type WaterLeakAlertDoc,
} from './WaterLeakAlert.js';
import { waterMeterSchema, type WaterMeterDoc } from './WaterMeter.js';

/** What the models take from the configuration. */
export interface EnvironmentModelOptions {
  /**
   * Days raw readings are kept (config `readings.rawRetentionDays`).
   * @default DEFAULT_RAW_RETENTION_DAYS
   */
  readonly rawRetentionDays?: number;
}

/** Compiles the models on `connection` (once per connection). */
export function createModels(
  connection: Connection,
  options: EnvironmentModelOptions = {},
) {
  const retention = options.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS;
  return {
    ...createSharedModels(connection),
    ReadingKey: connection.model<ReadingKeyDoc>(
      'ReadingKey',
      createReadingKeySchema(retention),
    ),
    AirQualityStation: connection.model<AirQualityStationDoc>(
      'AirQualityStation',
      airQualityStationSchema,
    ),
    AirQualityObserved: connection.model<AirQualityObservedDoc>(
      'AirQualityObserved',
      createAirQualityObservedSchema(retention),
    ),
    NoiseLevelObserved: connection.model<NoiseLevelObservedDoc>(
      'NoiseLevelObserved',
      createNoiseLevelObservedSchema(retention),
    ),
    WaterMeter: connection.model<WaterMeterDoc>('WaterMeter', waterMeterSchema),
    WaterConsumptionObserved: connection.model<WaterConsumptionObservedDoc>(
      'WaterConsumptionObserved',
      createWaterConsumptionObservedSchema(retention),
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
