/** Mobility's resolver typing: which document each GraphQL type's resolvers receive (see /codegen.ts). */
import type { SubgraphCodegen } from '../../lib/tooling/SubgraphCodegen.js';

export const codegen: SubgraphCodegen = {
  context: 'MobilityContext',
  mappers: {
    TrafficSensor: '../models/index.js#TrafficSensorDoc',
    TrafficFlowReading: '../models/index.js#TrafficFlowReadingDoc',
    TrafficLight: '../models/index.js#TrafficLightDoc',
    SignalPlan: '../models/TrafficLight.js#SignalPlanDoc',
    TrafficLightFault: '../models/TrafficLight.js#TrafficLightFaultDoc',
    TransitLine: '../models/index.js#TransitLineDoc',
    TransitStop: '../models/index.js#TransitStopDoc',
    BikeStation: '../models/index.js#BikeStationDoc',
    CongestionWindow: '../analysis/congestionWindow.js#CongestionWindowValue',
    SignalPlanRecommendation:
      '../resolvers/SignalPlanRecommendation.js#SignalPlanRecommendationValue',
    ReadingReceived: '../resolvers/ReadingReceived.js#ReadingReceivedRef',
    InnovationHub: '../resolvers/InnovationHub.js#InnovationHubRef',
    AirQualityStation: '../resolvers/AirQualityStation.js#AirQualityStationRef',
    RecordSource:
      '../../../../lib/ingest/quality.js#RecordSource as StoredRecordSource',
    QuarantinedRecord: '../../../../lib/ingest/quarantine.js#QuarantineDoc',
    DataQualityReport:
      '../../../../lib/ingest/dataQuality.js#DataQualityReport as StoredDataQualityReport',
  },
};
