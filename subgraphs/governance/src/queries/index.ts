/**
 * Governance's query module: every read of its resolvers that is not a
 * per-key batch (those are loaders). Resolvers reach the database only
 * through `ctx.loaders` and `ctx.queries` (docs/contributing.md). Read-only:
 * only lib/records/audit appends audit events.
 */
import type { QueryFilter } from 'mongoose';
import {
  paginate,
  type PageArgs,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { AuditEventDoc, GovernanceModels } from '../models/index.js';

/** Binds governance's queries to its models. */
export function createQueries(models: GovernanceModels) {
  return {
    /** A page of audit events, newest first. */
    auditEvents: (filter: QueryFilter<AuditEventDoc>, args: PageArgs) =>
      paginate(models.AuditEvent, filter, args, {
        sortField: 'at',
        direction: -1,
      }),
  };
}

/** Governance's queries. */
export type GovernanceQueries = ReturnType<typeof createQueries>;
