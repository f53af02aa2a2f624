/** Mobility's resolver map: one file per GraphQL type. */
import { quarantinedRecordResolvers } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { DateTimeScalar } from '../../../../lib/subgraph-kit/scalars.js';
import { recordSourceResolvers } from '../../../../lib/subgraph-kit/provenance.js';
import { AirQualityStation } from './AirQualityStation.js';
import { BikeStation } from './BikeStation.js';
import { InnovationHub } from './InnovationHub.js';
import { CongestionWindow } from './CongestionWindow.js';
import { District } from './District.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { ReadingReceived } from './ReadingReceived.js';
import { SignalPlanRecommendation } from './SignalPlanRecommendation.js';
import { SignalPlan, TrafficLight } from './TrafficLight.js';
import { TrafficFlowReading, TrafficSensor } from './TrafficSensor.js';
import { TransitLine, TransitStop } from './Transit.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  District,
  AirQualityStation,
  InnovationHub,
  TrafficSensor,
  TrafficFlowReading,
  TrafficLight,
  SignalPlan,
  SignalPlanRecommendation,
  TransitLine,
  TransitStop,
  BikeStation,
  ReadingReceived,
  CongestionWindow,
  RecordSource: recordSourceResolvers,
  QuarantinedRecord: quarantinedRecordResolvers,
};
