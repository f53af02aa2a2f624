/**
 * Not public: what the response cache reads from the supergraph. The
 * freshness hints the departments declare with `@cacheControl` on their
 * types and fields (Apollo's directive, composed into the supergraph with
 * `@composeDirective`), and the entities (`@key`) each subgraph serves, so
 * that answers can be tagged with the entities they contain
 * (docs/performance.md, "Response cache").
 */
import { createHash } from 'node:crypto';
import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
} from 'graphql';

/** The scope of a hint (Apollo's `CacheControlScope`). */
export type CacheScope = 'PUBLIC' | 'PRIVATE';

/** One `@cacheControl(maxAge:, scope:, inheritMaxAge:)`. */
export interface CacheHint {
  /** Seconds; undefined when the hint sets only the scope. */
  readonly maxAge: number | undefined;
  readonly scope: CacheScope | undefined;
  /** Take the parent field's maxAge instead of a default (Apollo's `inheritMaxAge`). */
  readonly inheritMaxAge: boolean;
}

/** What the response cache knows of one supergraph. */
export interface CacheModel {
  /** Identifies the supergraph (a hash of its SDL): part of every cache key, so a new graph never serves an old answer. */
  readonly id: string;
  /** Hints on types (object, interface, union), by type name. */
  readonly typeHints: ReadonlyMap<string, CacheHint>;
  /** Hints on fields, by coordinate `Type.field`. */
  readonly fieldHints: ReadonlyMap<string, CacheHint>;
  /**
   * The single key field of each entity type per subgraph that declares its
   * key (`join__type(graph:, key: "id")`): subgraph name → type → key field.
   * Types with a compound key are not listed (their answers are tagged by
   * the entities around them).
   */
  readonly keys: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Every entity type with a simple key, whatever subgraph declares it. */
  readonly entityTypes: ReadonlySet<string>;
}

function argument(
  directive: ConstDirectiveNode,
  name: string,
): { value: ConstValueNode } | undefined {
  return directive.arguments?.find((a) => a.name.value === name);
}

function readHint(
  directives: readonly ConstDirectiveNode[] | undefined,
): CacheHint | undefined {
  const directive = directives?.find((d) => d.name.value === 'cacheControl');
  if (!directive) return undefined;
  const maxAge = argument(directive, 'maxAge')?.value;
  const scope = argument(directive, 'scope')?.value;
  const inherit = argument(directive, 'inheritMaxAge')?.value;
  return {
    maxAge:
      maxAge?.kind === Kind.INT ? Math.max(0, Number(maxAge.value)) : undefined,
    scope:
      scope?.kind === Kind.ENUM &&
      (scope.value === 'PUBLIC' || scope.value === 'PRIVATE')
        ? scope.value
        : undefined,
    inheritMaxAge: inherit?.kind === Kind.BOOLEAN && inherit.value,
  };
}

/** Reads the hints and entity keys of a supergraph SDL. */
export function readCacheModel(supergraphSdl: string): CacheModel {
  const document = parse(supergraphSdl);
  const typeHints = new Map<string, CacheHint>();
  const fieldHints = new Map<string, CacheHint>();
  const keys = new Map<string, Map<string, string>>();
  const entityTypes = new Set<string>();
  // join__Graph enum value (MOBILITY) → subgraph name (mobility).
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.ENUM_TYPE_DEFINITION ||
      definition.name.value !== 'join__Graph'
    )
      continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find(
        (d) => d.name.value === 'join__graph',
      );
      const name = graph && argument(graph, 'name')?.value;
      if (name?.kind === Kind.STRING)
        graphNames.set(value.name.value, name.value);
    }
  }
  const composite = (
    definition: DefinitionNode,
  ): definition is Extract<
    DefinitionNode,
    {
      kind:
        | Kind.OBJECT_TYPE_DEFINITION
        | Kind.OBJECT_TYPE_EXTENSION
        | Kind.INTERFACE_TYPE_DEFINITION
        | Kind.INTERFACE_TYPE_EXTENSION
        | Kind.UNION_TYPE_DEFINITION
        | Kind.UNION_TYPE_EXTENSION;
    }
  > =>
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_EXTENSION ||
    definition.kind === Kind.UNION_TYPE_DEFINITION ||
    definition.kind === Kind.UNION_TYPE_EXTENSION;
  for (const definition of document.definitions) {
    if (!composite(definition)) continue;
    const type = definition.name.value;
    const hint = readHint(definition.directives);
    if (hint) typeHints.set(type, hint);
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'join__type') continue;
      const graph = argument(directive, 'graph')?.value;
      const key = argument(directive, 'key')?.value;
      if (graph?.kind !== Kind.ENUM || key?.kind !== Kind.STRING) continue;
      const subgraph = graphNames.get(graph.value);
      const field = key.value.trim();
      // Only simple keys (one scalar field): `id`, `code`.
      if (!subgraph || !/^[_A-Za-z][_0-9A-Za-z]*$/.test(field)) continue;
      let perType = keys.get(subgraph);
      if (!perType) keys.set(subgraph, (perType = new Map()));
      if (!perType.has(type)) perType.set(type, field);
      entityTypes.add(type);
    }
    if (
      definition.kind === Kind.UNION_TYPE_DEFINITION ||
      definition.kind === Kind.UNION_TYPE_EXTENSION
    )
      continue;
    for (const field of definition.fields ?? []) {
      const fieldHint = readHint(field.directives);
      if (fieldHint) fieldHints.set(`${type}.${field.name.value}`, fieldHint);
    }
  }
  return {
    id: createHash('sha256').update(supergraphSdl).digest('hex').slice(0, 16),
    typeHints,
    fieldHints,
    keys,
    entityTypes,
  };
}

/** {@link readCacheModel} of the supergraph now, read again only when it changes. */
export function cacheModelSource(
  getSupergraphSdl: () => string,
): () => CacheModel {
  let current: { sdl: string; model: CacheModel } | null = null;
  return () => {
    const sdl = getSupergraphSdl();
    if (current?.sdl !== sdl) current = { sdl, model: readCacheModel(sdl) };
    return current.model;
  };
}
