/** Governance's root queries: the districts, the access rules of the supergraph and the audit trail. */
import type { QueryFilter } from 'mongoose';
import type { AccessRule } from '../../../../lib/records/access/index.js';
import type { AuditDecision } from '../../../../lib/records/audit/index.js';
import { districtQueryResolvers } from '../../../../lib/subgraph-kit/districts.js';
import { nodeRefOf, nodeRefsOf } from '../../../../lib/subgraph-kit/nodeIds.js';
import { timeRangeFilter } from '../../../../lib/subgraph-kit/pagination.js';
import type {
  AccessRuleFilter,
  AuditEventFilter,
  QueryResolvers,
} from '../__generated__/resolvers-types.js';
import { assertCanReadAuditTrail } from '../access.js';
import { auditEventKey } from '../loaders/auditEventByChainSeq.js';
import type { AuditEventDoc } from '../models/index.js';

/**
 * The `AuditEventFilter` input as resolvers receive it: the AccessDecision
 * enum resolver has already turned `decision` into its stored form.
 */
export type AuditEventFilterInput = Omit<AuditEventFilter, 'decision'> & {
  decision?: AuditDecision | null;
};

/** Whether `rule` passes every condition of `filter`. */
export function matchesAccessRuleFilter(
  rule: AccessRule,
  filter: AccessRuleFilter | null | undefined,
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
  if (filter.entity != null) {
    query['records'] = {
      $elemMatch: { type: filter.entity.type, id: filter.entity.id },
    };
  }
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

export const Query: QueryResolvers = {
  // The root district queries live here, not in a department (ADR 0007).
  ...districtQueryResolvers,
  // Whether the object exists is its owner's answer: the gateway asks it for
  // the node's other fields, and its reference resolver answers null.
  node: (_, args) => nodeRefOf(args.id),
  nodes: (_, args) => nodeRefsOf(args.ids),
  accessRules: async (_, args, ctx): Promise<AccessRule[]> => {
    assertCanReadAuditTrail(ctx.viewer, 'Query.accessRules');
    const rules = await ctx.accessRules.current();
    return rules.filter((rule) => matchesAccessRuleFilter(rule, args.filter));
  },
  auditEvents: (_, args, ctx) => {
    assertCanReadAuditTrail(ctx.viewer, 'Query.auditEvents');
    // The generated args type holds the GraphQL enum names; at run time
    // `decision` is already the stored value (AccessDecision enum resolver).
    const filter = args.filter as AuditEventFilterInput | null | undefined;
    return ctx.queries.auditEvents(auditEventQuery(filter), args);
  },
  personalDataAccessReport: (_, args, ctx) => {
    assertCanReadAuditTrail(ctx.viewer, 'Query.personalDataAccessReport');
    return ctx.queries.personalDataReads(args.subject, {
      from: args.from ?? null,
      to: args.to ?? null,
    });
  },
  auditEvent: (_, args, ctx) => {
    assertCanReadAuditTrail(ctx.viewer, 'Query.auditEvent');
    return ctx.loaders.auditEventByChainSeq.load(
      auditEventKey(args.chainId, args.seq),
    );
  },
};
