/** Governance's per-request loaders ([DL]: created once per request, never shared between viewers). */
import type { GovernanceModels } from '../models/index.js';
import { auditEventByChainSeq } from './auditEventByChainSeq.js';

/** Creates a fresh set of loaders for one request. */
export function createLoaders(models: GovernanceModels) {
  return {
    auditEventByChainSeq: auditEventByChainSeq(models),
  };
}

/** Governance's loaders. */
export type GovernanceLoaders = ReturnType<typeof createLoaders>;
