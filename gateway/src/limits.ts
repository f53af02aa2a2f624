/**
 * Limits on the operations the gateway accepts, so that one request cannot
 * make the subgraphs and their databases do unbounded work: nesting depth,
 * computed cost, aliases and directives, enforced by GraphQL Armor
 * (Escape), a maintained set of Apollo Server validation rules, plus
 * the list cost (listCost.ts), which prices list sizes: a validation rule
 * for what the document alone decides and a plugin for the page sizes
 * given as variables, priced per request. Pages are bounded
 * separately (at most 100 items, lib/pagination.ts); document size, tokens
 * and variables are checked before parsing (requestLimits.ts).
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  listCostPlugin,
  listCostRule,
  worstCaseListCostRule,
} from './listCost.js';

/** The limits, documented in docs/errors.md. */
export const OPERATION_LIMITS = {
  /** Deepest selection nesting (the city's deepest useful queries use about 8). */
  maxDepth: 12,
  /** GraphQL Armor's cost: objects 2, scalars 1, times 1.5 per level of depth. */
  maxCost: 20_000,
  maxAliases: 20,
  maxDirectives: 50,
} as const;

/**
 * The validation rules and plugins that enforce {@link OPERATION_LIMITS}
 * and the list cost. `validationRules` go with `plugins` (the plugin
 * prices variable page sizes per request; the live service prices a
 * subscription's the same way); `worstCaseValidationRules` are for what is
 * decided without the variables (the live service's batch sizes), and
 * count each variable page size as the largest page.
 */
export function operationLimits() {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: OPERATION_LIMITS.maxCost, ignoreIntrospection: true },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    // Tokens are counted before parsing (requestLimits.ts). Armor's count
    // parses the document a second time in a hook, where a syntax error
    // became an HTTP 500 instead of GRAPHQL_PARSE_FAILED (issue 9, finding 7).
    maxTokens: { enabled: false },
    // Introspection is open (docs/architecture.md); suggestions add nothing to it.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    plugins: [...plugins, listCostPlugin()],
    validationRules: [...validationRules, listCostRule],
    worstCaseValidationRules: [...validationRules, worstCaseListCostRule],
  };
}
