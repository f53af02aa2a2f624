/** `AccessRule` and `AccessRequirement`: the rules as lib/records/access reads them from the supergraph. */
import { describeAccessRequirement } from '../../../../lib/records/access/index.js';
import type { AccessRequirementResolvers } from '../__generated__/resolvers-types.js';

export const AccessRequirement: AccessRequirementResolvers = {
  description: (requirement) => describeAccessRequirement(requirement),
};
