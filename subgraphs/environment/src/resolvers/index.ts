/** Environment's resolver map: one file per GraphQL type. */
import { quarantinedRecordResolvers } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { DateTimeScalar } from '../../../../lib/subgraph-kit/scalars.js';
import {
  AirQualityObserved,
  AirQualityStation,
  NoiseLevelObserved,
} from './AirQualityStation.js';
import {
  AirQualityAlert,
  HourlyAirQualityIndex,
  PollutantSubIndex,
} from './AirQualityAlert.js';
import { recordSourceResolvers } from '../../../../lib/subgraph-kit/provenance.js';
import { District } from './District.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { ReadingReceived } from './ReadingReceived.js';
import { Business, RenewableEnergyProject } from './RenewableEnergyProject.js';
import { LeakDetection, WaterLeakAlert } from './WaterLeakAlert.js';
import { WaterConsumptionObserved, WaterMeter } from './WaterMeter.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  District,
  AirQualityStation,
  AirQualityObserved,
  AirQualityAlert,
  HourlyAirQualityIndex,
  PollutantSubIndex,
  NoiseLevelObserved,
  WaterMeter,
  WaterConsumptionObserved,
  WaterLeakAlert,
  LeakDetection,
  RenewableEnergyProject,
  Business,
  ReadingReceived,
  RecordSource: recordSourceResolvers,
  QuarantinedRecord: quarantinedRecordResolvers,
};
