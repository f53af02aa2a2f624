/** `AccessRule` and `AccessRequirement`: the rules as lib/access reads them from the supergraph. */
import {
  describeAccessRequirement,
  type AccessRequirement as AccessRequirementValue,
} from '../../../../lib/access/index.js';

export const AccessRequirement = {
  description: (requirement: AccessRequirementValue) =>
    describeAccessRequirement(requirement),
};
