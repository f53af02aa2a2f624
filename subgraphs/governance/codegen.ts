/** Governance's resolver typing: which document each GraphQL type's resolvers receive (see /codegen.ts). */
import type { SubgraphCodegen } from '../../codegen.js';

export const codegen: SubgraphCodegen = {
  context: 'GovernanceContext',
  mappers: {
    AuditEvent: '../models/index.js#AuditEventDoc',
  },
};
