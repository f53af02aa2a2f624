/**
 * Composition of the city graph from `supergraph.yaml`: config reading,
 * composition with plain-words errors, and the API schema of a supergraph.
 */
export {
  loadSupergraphConfig,
  parseSupergraphConfig,
  readSubgraphSources,
  type SubgraphSource,
  type SupergraphConfig,
  type SupergraphConfigSubgraph,
} from './supergraphConfig.js';
export {
  apiSchemaOfSupergraph,
  composeSupergraph,
  explainCompositionCode,
  formatCompositionProblems,
  type CompositionFailure,
  type CompositionOutcome,
  type CompositionProblem,
  type CompositionSuccess,
} from './composeSupergraph.js';
export { writeFileAtomic } from './writeFileAtomic.js';
export {
  affectedCoordinates,
  checkSubgraphSchema,
  type AccessChangeReport,
  type CheckSubgraphSchemaInput,
  type CheckUsage,
  type SchemaChangeReport,
  type SchemaCheckReport,
} from './checkSubgraphSchema.js';
export {
  diffAccessRuleLists,
  diffAccessRules,
  requirementImplies,
  WEAKENING_KINDS,
  type AccessRuleChange,
  type WeakeningKind,
} from './diffAccessRules.js';
export {
  findAccessApproval,
  findSchemaApproval,
  loadApprovals,
  type Approval,
} from './approvals.js';
export {
  formatSchemaCheckReport,
  schemaCheckReportToJson,
} from './formatSchemaCheckReport.js';
export {
  prepareSchemaCheck,
  type PrepareSchemaCheckOptions,
  type PreparedSchemaCheck,
} from './prepareSchemaCheck.js';
export { publishSupergraph, type PublishResult } from './publishSupergraph.js';
export { writeSupergraph, type SupergraphOutputs } from './writeSupergraph.js';
