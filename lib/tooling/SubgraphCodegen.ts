/**
 * What each subgraph's `codegen.ts` declares for the root `codegen.ts`
 * (GraphQL Code Generator). Its own module so that the root config imports
 * the subgraphs' configs and they import only this type, not the root back.
 */

/** What a subgraph's codegen.ts declares. */
export interface SubgraphCodegen {
  /** The context type exported by src/context.ts. */
  context: string;
  /** GraphQL type → `<path relative to src/__generated__>#<TypeName>`. */
  mappers: Record<string, string>;
}
