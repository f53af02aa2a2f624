/** Governance's request context: the base context plus this request's loaders and the rules source. */
import type { SubgraphContext } from '../../../lib/subgraph-kit/subgraphService.js';
import type { AccessRulesSource } from './accessRulesSource.js';
import { createLoaders, type GovernanceLoaders } from './loaders/index.js';
import type { GovernanceModels } from './models/index.js';
import { createQueries, type GovernanceQueries } from './queries/index.js';

/** What every governance resolver receives. */
export interface GovernanceContext extends SubgraphContext {
  models: GovernanceModels;
  loaders: GovernanceLoaders;
  queries: GovernanceQueries;
  accessRules: AccessRulesSource;
}

/** Builds the context of one request. */
export function createContext(
  base: SubgraphContext,
  models: GovernanceModels,
  accessRules: AccessRulesSource,
): GovernanceContext {
  return {
    ...base,
    models,
    loaders: createLoaders(models),
    queries: createQueries(models),
    accessRules,
  };
}
