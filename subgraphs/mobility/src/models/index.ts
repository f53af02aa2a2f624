/** Mobility's models, bound to the subgraph's own connection. */
import type { Connection } from 'mongoose';
import { createSharedModels } from '../../../../lib/subgraph-kit/models/createSharedModels.js';
import { bikeStationSchema, type BikeStationDoc } from './BikeStation.js';
import {
  trafficFlowReadingSchema,
  type TrafficFlowReadingDoc,
} from './TrafficFlowReading.js';
import { trafficLightSchema, type TrafficLightDoc } from './TrafficLight.js';
import { trafficSensorSchema, type TrafficSensorDoc } from './TrafficSensor.js';
import { transitLineSchema, type TransitLineDoc } from './TransitLine.js';
import { transitStopSchema, type TransitStopDoc } from './TransitStop.js';

/** Compiles the models on `connection` (once per connection). */
export function createModels(connection: Connection) {
  return {
    ...createSharedModels(connection),
    TrafficSensor: connection.model<TrafficSensorDoc>(
      'TrafficSensor',
      trafficSensorSchema,
    ),
    TrafficFlowReading: connection.model<TrafficFlowReadingDoc>(
      'TrafficFlowReading',
      trafficFlowReadingSchema,
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
