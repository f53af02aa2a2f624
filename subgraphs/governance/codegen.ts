/** Governance's resolver typing: which document each GraphQL type's resolvers receive (see /codegen.ts). */
import type { SubgraphCodegen } from '../../lib/tooling/SubgraphCodegen.js';

export const codegen: SubgraphCodegen = {
  context: 'GovernanceContext',
  mappers: {
    AuditEvent: '../models/index.js#AuditEventDoc',
    // The rules as lib/access reads them from the supergraph (aliased: the
    // generated file declares types of the same names).
    AccessRule:
      '../../../../lib/records/access/index.js#AccessRule as AccessRuleValue',
    AccessRequirement:
      '../../../../lib/records/access/index.js#AccessRequirement as AccessRequirementValue',
    // Enums: resolvers hold the stored lowercase values (lib/audit), which the
    // enum resolvers map to the GraphQL names.
    AccessDecision:
      '../../../../lib/records/audit/index.js#AuditDecision as AuditDecisionValue',
    AuditOutcome:
      '../../../../lib/records/audit/index.js#AuditOutcome as AuditOutcomeValue',
  },
};
