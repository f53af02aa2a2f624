/** Mobility's models, bound to the subgraph's own connection. */
import type { Connection } from 'mongoose';
import { createSharedModels } from '../../../../lib/subgraph-kit/models/createSharedModels.js';
import { bikeStationSchema, type BikeStationDoc } from './BikeStation.js';
import type { ReadingKeyDoc } from '../../../../lib/ingest/storeObservations.js';
import { DEFAULT_RAW_RETENTION_DAYS } from '../../../../lib/runtime/config.js';
import { createReadingKeySchema } from '../../../../lib/subgraph-kit/models/ReadingKey.js';
import {
  createTrafficFlowReadingSchema,
  type TrafficFlowReadingDoc,
} from './TrafficFlowReading.js';
import { trafficLightSchema, type TrafficLightDoc } from './TrafficLight.js';
import { trafficSensorSchema, type TrafficSensorDoc } from './TrafficSensor.js';
import { transitLineSchema, type TransitLineDoc } from './TransitLine.js';
import { transitStopSchema, type TransitStopDoc } from './TransitStop.js';

/** What the models take from the configuration. */
export interface MobilityModelOptions {
  /**
   * Days raw readings are kept (config `readings.rawRetentionDays`).
   * @default DEFAULT_RAW_RETENTION_DAYS
   */
  readonly rawRetentionDays?: number;
}

/** Compiles the models on `connection` (once per connection). */
export function createModels(
  connection: Connection,
  options: MobilityModelOptions = {},
) {
  const retention = options.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS;
  return {
    ...createSharedModels(connection),
    TrafficSensor: connection.model<TrafficSensorDoc>(
      'TrafficSensor',
      trafficSensorSchema,
    ),
    TrafficFlowReading: connection.model<TrafficFlowReadingDoc>(
      'TrafficFlowReading',
      createTrafficFlowReadingSchema(retention),
    ),
    ReadingKey: connection.model<ReadingKeyDoc>(
      'ReadingKey',
      createReadingKeySchema(retention),
    ),
    TrafficLight: connection.model<TrafficLightDoc>(
      'TrafficLight',
      trafficLightSchema,
    ),
    TransitLine: connection.model<TransitLineDoc>(
      'TransitLine',
      transitLineSchema,
    ),
    TransitStop: connection.model<TransitStopDoc>(
      'TransitStop',
      transitStopSchema,
    ),
    BikeStation: connection.model<BikeStationDoc>(
      'BikeStation',
      bikeStationSchema,
    ),
  };
}

export type {
  BikeStationDoc,
  TrafficFlowReadingDoc,
  TrafficLightDoc,
  TrafficSensorDoc,
  TransitLineDoc,
  TransitStopDoc,
};

/** Every mobility model. */
export type MobilityModels = ReturnType<typeof createModels>;
