/**
 * Governance's query module: every read of its resolvers that is not a
 * per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md). Read-only:
 * only lib/records/audit appends audit events.
 */
import { pageQuery } from '../../../../lib/subgraph-kit/pageQueries.js';
import type { GovernanceModels } from '../models/index.js';

/** Binds governance's queries to its models. */
export function createQueries(models: GovernanceModels) {
  return {
    /** A page of audit events, newest first. */
    auditEvents: pageQuery(models.AuditEvent, {
      sortField: 'at',
      direction: -1,
    }),
  };
}

/** Governance's queries. */
export type GovernanceQueries = ReturnType<typeof createQueries>;
