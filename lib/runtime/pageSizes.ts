/**
 * The page sizes of every list of the graph: the subgraphs apply them
 * (lib/subgraph-kit/pagination.ts) and the gateway prices operations with
 * them (gateway/src/listCost.ts).
 */

/** Page size when the client gives none. */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 100;
