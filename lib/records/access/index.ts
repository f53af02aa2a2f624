/**
 * Access rules of the city graph: reading the Federation authorization
 * directives (`@authenticated`, `@requiresScopes`, `@policy`), enforcing them
 * in subgraphs, and listing them from the supergraph for auditors.
 */
export {
  PUBLIC_REQUIREMENT,
  combineRequirements,
  describeAccessRequirement,
  evaluateAccess,
  isPublicRequirement,
  normalizeAlternatives,
  type AccessDecision,
  type AccessRequirement,
  type DescribeOptions,
} from './accessRequirement.js';
export {
  accessDeniedError,
  accessDeniedMessage,
  applyAccessRules,
  type ApplyAccessRulesOptions,
  type DataSubjectOf,
} from './applyAccessRules.js';
export { formatAccessRulesMarkdown } from './formatAccessRulesMarkdown.js';
export {
  DocumentRuleError,
  ENFORCEMENT_EXTENSION,
  enforcementReportOf,
  enforcementReportPlugin,
  isEnforcementReport,
  type EnforcedDecision,
  type EnforcementReport,
  type ProtectedRecordKey,
} from './enforcementReport.js';
export {
  PERSONAL_DATA_TAG,
  readAccessRules,
  RETENTION_TAG_PREFIX,
  type AccessRule,
  type AccessRules,
  type AccessRulesInput,
  type ReadAccessRulesOptions,
} from './readAccessRules.js';
