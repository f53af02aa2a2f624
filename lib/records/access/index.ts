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
} from './applyAccessRules.js';
export { formatAccessRulesMarkdown } from './formatAccessRulesMarkdown.js';
export {
  readSubgraphRules,
  type ReadSubgraphRulesOptions,
  type SubgraphAccessRules,
} from './readSubgraphRules.js';
export {
  PERSONAL_DATA_TAG,
  readSupergraphAccessRules,
  type AccessRule,
} from './readSupergraphAccessRules.js';
