/** Governance's resolver typing: which document each GraphQL type's resolvers receive (see /codegen.ts). */
import { NODE_ID_FORMS } from '../../lib/subgraph-kit/nodeIds.js';
import type { SubgraphCodegen } from '../../lib/tooling/SubgraphCodegen.js';

export const codegen: SubgraphCodegen = {
  context: 'GovernanceContext',
  mappers: {
    // node(id:) answers references: the type its id names, and the id
    // (lib/subgraph-kit/nodeIds.ts); the owners answer the other fields.
    Node: '../../../../lib/subgraph-kit/nodeIds.js#NodeRef',
    ...Object.fromEntries(
      Object.keys(NODE_ID_FORMS)
        .filter((type) => type !== 'District')
        .map((type) => [
          type,
          '../../../../lib/subgraph-kit/nodeIds.js#NodeRef',
        ]),
    ),
    AuditEvent: '../models/index.js#AuditEventDoc',
    AuditedRecord:
      '../../../../lib/records/audit/index.js#AuditedRecord as AuditedRecordValue',
    PersonalDataRead: '../queries/index.js#PersonalDataReadValue',
    PersonalDataAccessReport:
      '../queries/index.js#PersonalDataAccessReportValue',
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
