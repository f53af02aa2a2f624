/** Engagement's resolver typing: which document each GraphQL type's resolvers receive (see /codegen.ts). */
import type { SubgraphCodegen } from '../../lib/tooling/SubgraphCodegen.js';

export const codegen: SubgraphCodegen = {
  context: 'EngagementContext',
  mappers: {
    RecordSource:
      '../../../../lib/ingest/quality.js#RecordSource as StoredRecordSource',
    QuarantinedRecord: '../../../../lib/ingest/quarantine.js#QuarantineDoc',
    CitizenReport: '../models/index.js#CitizenReportDoc',
    DigitalInclusionIndicator:
      '../models/index.js#DigitalInclusionIndicatorDoc',
    Enrolment: '../models/index.js#EnrolmentDoc',
    SurveyQuestion: '../models/index.js#SurveyQuestionDoc',
    Survey: '../models/index.js#SurveyDoc',
    TrainingProgram: '../models/index.js#TrainingProgramDoc',
    Workshop: '../models/index.js#WorkshopDoc',
    // Value types built by the resolvers.
    DigitalInclusion: '../../../../lib/subgraph-kit/districts.js#DistrictRef',
    DigitalDivideRank:
      '../resolvers/DigitalInclusion.js#DigitalDivideRankValue',
    EnrolmentReceipt: '../resolvers/Enrolment.js#EnrolmentReceiptValue',
    SurveyAnswerReceipt:
      '../resolvers/workflowMutations.js#SurveyAnswerReceiptValue',
    TrafficLight: '../resolvers/TrafficLight.js#TrafficLightRef',
    ServiceType: '../serviceTypes.js#ServiceTypeRecord',
    DataQualityReport:
      '../../../../lib/ingest/dataQuality.js#DataQualityReport as StoredDataQualityReport',
    SocialTopicCount: '../queries/socialTopics.js#SocialTopicRow',
  },
};
