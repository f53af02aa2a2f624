/**
 * Global Object Identification (docs/decisions/0010-global-object-identification.md):
 * `Query.node`/`Query.nodes` answer the type an id's form names
 * (lib/subgraph-kit/nodeIds.ts); the gateway asks the type's owner for every
 * other field.
 */
import type { NodeResolvers } from '../__generated__/resolvers-types.js';

export const Node: NodeResolvers = {
  __resolveType: (ref) => ref.__typename,
};
