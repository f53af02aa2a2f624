/** Economy's resolver typing: which document each GraphQL type's resolvers receive (see /codegen.ts). */
import type { SubgraphCodegen } from '../../lib/tooling/SubgraphCodegen.js';

export const codegen: SubgraphCodegen = {
  context: 'EconomyContext',
  mappers: {
    Business: '../models/index.js#BusinessDoc',
    InnovationHub: '../models/index.js#InnovationHubDoc',
    Investment: '../models/index.js#InvestmentDoc',
    SectorFlow: '../models/index.js#SectorFlowDoc',
    MarketIndicator: '../models/index.js#MarketIndicatorDoc',
    Startup: '../models/index.js#StartupDoc',
    RecordSource:
      '../../../../lib/ingest/quality.js#RecordSource as StoredRecordSource',
    DataQualityReport:
      '../../../../lib/ingest/dataQuality.js#DataQualityReport as StoredDataQualityReport',
  },
};
