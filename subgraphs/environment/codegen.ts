/** Environment's resolver typing: which document each GraphQL type's resolvers receive (see /codegen.ts). */
import type { SubgraphCodegen } from '../../lib/tooling/SubgraphCodegen.js';

export const codegen: SubgraphCodegen = {
  context: 'EnvironmentContext',
  mappers: {
    AirQualityObserved: '../models/index.js#AirQualityObservedDoc',
    AirQualityStation: '../models/index.js#AirQualityStationDoc',
    AirQualityAlert: '../resolvers/AirQualityAlert.js#AirQualityAlertValue',
    HourlyAirQualityIndex: '../analysis/stationIndex.js#StationHourIndex',
    PollutantSubIndex: '../analysis/stationIndex.js#PollutantSubIndexValue',
    ReadingReceived: '../resolvers/ReadingReceived.js#ReadingReceivedRef',
    // Owned by economy: environment only holds its key.
    Business: '../resolvers/RenewableEnergyProject.js#BusinessRef',
    NoiseLevelObserved: '../models/index.js#NoiseLevelObservedDoc',
    RenewableEnergyProject: '../models/index.js#RenewableEnergyProjectDoc',
    WaterConsumptionObserved: '../models/index.js#WaterConsumptionObservedDoc',
    WaterLeakAlert: '../models/index.js#WaterLeakAlertDoc',
    LeakDetection: '../models/WaterLeakAlert.js#LeakDetectionDoc',
    WaterMeter: '../models/index.js#WaterMeterDoc',
    RecordSource:
      '../../../../lib/ingest/quality.js#RecordSource as StoredRecordSource',
    QuarantinedRecord: '../../../../lib/ingest/quarantine.js#QuarantineDoc',
    DataQualityReport:
      '../../../../lib/ingest/dataQuality.js#DataQualityReport as StoredDataQualityReport',
  },
};
