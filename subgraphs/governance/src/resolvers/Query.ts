/** Governance's root queries: the access rules of the supergraph and the audit trail. */
import type { QueryFilter } from 'mongoose';
import type { AccessRule } from '../../../../lib/access/index.js';
import type { AuditDecision } from '../../../../lib/audit/index.js';
import {
  paginate,
  timeRangeFilter,
  type PageArgs,
} from '../../../../lib/pagination.js';
import { assertCanReadAuditTrail } from '../access.js';
import type { GovernanceContext } from '../context.js';
import { auditEventKey } from '../loaders/auditEventByChainSeq.js';
import type { AuditEventDoc } from '../models/index.js';

/** The `AccessRuleFilter` input. */
export interface AccessRuleFilterInput {
  subgraph?: string | null;
  type?: string | null;
  personalData?: boolean | null;
  publicOnly?: boolean | null;
}

/** The `AuditEventFilter` input (enum values already mapped to their stored form). */
export interface AuditEventFilterInput {
  subject?: string | null;
  from?: Date | null;
  to?: Date | null;
  field?: string | null;
  decision?: AuditDecision | null;
  chainId?: string | null;
}

/** Whether `rule` passes every condition of `filter`. */
export function matchesAccessRuleFilter(
  rule: AccessRule,
  filter: AccessRuleFilterInput | null | undefined,
): boolean {
  if (!filter) return true;
  if (filter.subgraph != null && !rule.subgraphs.includes(filter.subgraph))
    return false;
  if (filter.type != null && rule.type !== filter.type) return false;
  if (filter.personalData != null && rule.personalData !== filter.personalData)
    return false;
  if (filter.publicOnly != null && rule.public !== filter.publicOnly)
    return false;
  return true;
}

/** The MongoDB filter of an `AuditEventFilter`. */
export function auditEventQuery(
  filter: AuditEventFilterInput | null | undefined,
): QueryFilter<AuditEventDoc> {
  if (!filter) return {};
  const query: Record<string, unknown> = {
    ...timeRangeFilter('at', { from: filter.from, to: filter.to }),
  };
  if (filter.chainId != null) query['chainId'] = filter.chainId;
  if (filter.subject != null) query['subject'] = filter.subject;
  if (filter.field != null && filter.decision != null) {
    query['fields'] = {
      $elemMatch: { coordinate: filter.field, decision: filter.decision },
    };
  } else if (filter.field != null) {
    query['fields.coordinate'] = filter.field;
  } else if (filter.decision != null) {
    query['fields.decision'] = filter.decision;
  }
  return query as QueryFilter<AuditEventDoc>;
}

export const Query = {
  accessRules: async (
    _: unknown,
    args: { filter?: AccessRuleFilterInput | null },
    ctx: GovernanceContext,
  ): Promise<AccessRule[]> => {
    assertCanReadAuditTrail(ctx.viewer, 'Query.accessRules');
    const rules = await ctx.accessRules.current();
    return rules.filter((rule) => matchesAccessRuleFilter(rule, args.filter));
  },
  auditEvents: (
    _: unknown,
    args: PageArgs & { filter?: AuditEventFilterInput | null },
    ctx: GovernanceContext,
  ) => {
    assertCanReadAuditTrail(ctx.viewer, 'Query.auditEvents');
    return paginate(ctx.models.AuditEvent, auditEventQuery(args.filter), args, {
      sortField: 'at',
      direction: -1,
    });
  },
  auditEvent: (
    _: unknown,
    args: { chainId: string; seq: number },
    ctx: GovernanceContext,
  ) => {
    assertCanReadAuditTrail(ctx.viewer, 'Query.auditEvent');
    return ctx.loaders.auditEventByChainSeq.load(
      auditEventKey(args.chainId, args.seq),
    );
  },
};
