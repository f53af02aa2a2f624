/**
 * Composition of the city graph from `supergraph.yaml`: config reading,
 * composition with plain-words errors, and the API schema of a supergraph.
 */
export {
  loadSupergraphConfig,
  parseSupergraphConfig,
  readSubgraphSources,
  type SubgraphSource,
  type SupergraphConfig,
  type SupergraphConfigSubgraph,
} from './supergraphConfig.js';
export {
  apiSchemaOfSupergraph,
  composeSupergraph,
  explainCompositionCode,
  formatCompositionProblems,
  type CompositionFailure,
  type CompositionOutcome,
  type CompositionProblem,
  type CompositionSuccess,
} from './composeSupergraph.js';
export { writeFileAtomic } from './writeFileAtomic.js';
