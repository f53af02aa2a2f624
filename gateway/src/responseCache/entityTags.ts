/**
 * Not public: which entities an answer contains, so a cached answer can be
 * dropped when one of them changes. The client's operation need not select
 * any id (`trafficSensor(id:) { name }`), so the data source asks each
 * subgraph for them: every selection on an entity type the subgraph keys
 * gets `_ck_t: __typename` and `_ck_k: <key field>` (aliases no operation
 * of the planner uses), and the entities are read back from the subgraph's
 * answer. The gateway's result shaping keeps only what the client selected,
 * so the extra fields never reach the client (checked by
 * gateway/test/responseCache.int.test.ts). An entity is tagged
 * `<Type>:<key>`, e.g. `TrafficSensor:mob-ts-13201-01`, `District:13201`:
 * the same form as a city event's entity (lib/runtime/cityEvents.ts).
 *
 * Selections on interfaces and unions are not tagged, so an operation that
 * selects one is never cached (operationCachePolicy.ts).
 */
import {
  Kind,
  parse,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  isObjectType,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { CacheModel } from './cacheModel.js';

/** Alias of the added `__typename`. */
export const TYPENAME_ALIAS = '_ck_t';
/** Alias of the added key field. */
export const KEY_ALIAS = '_ck_k';

/** The tag of one entity. */
export function entityTag(type: string, key: string | number): string {
  return `${type}:${String(key)}`;
}

const field = (alias: string, name: string): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: name },
});

const TAGGED_LIMIT = 2000;

/** Rewrites subgraph queries to carry entity ids, memoized per schema, model, subgraph and text. */
export class EntityTagger {
  private readonly tagged = new WeakMap<
    GraphQLSchema,
    WeakMap<CacheModel, Map<string, string>>
  >();

  /**
   * The query to send to `subgraph` instead of `query` (the same text when
   * nothing is to be added, or when it cannot be read).
   */
  rewrite(
    query: string,
    subgraph: string,
    schema: GraphQLSchema,
    model: CacheModel,
  ): string {
    let perSchema = this.tagged.get(schema);
    if (!perSchema) this.tagged.set(schema, (perSchema = new WeakMap()));
    let perModel = perSchema.get(model);
    if (!perModel) perSchema.set(model, (perModel = new Map()));
    const cacheKey = `${subgraph}\n${query}`;
    let rewritten = perModel.get(cacheKey);
    if (rewritten === undefined) {
      rewritten = tagQuery(query, model.keys.get(subgraph), schema);
      if (perModel.size >= TAGGED_LIMIT) perModel.clear();
      perModel.set(cacheKey, rewritten);
    }
    return rewritten;
  }
}

function tagQuery(
  query: string,
  keys: ReadonlyMap<string, string> | undefined,
  schema: GraphQLSchema,
): string {
  if (!keys || keys.size === 0) return query;
  let document;
  try {
    document = parse(query);
  } catch {
    return query;
  }
  const typeInfo = new TypeInfo(schema);
  let changed = false;
  const result = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet: {
        leave(node): SelectionSetNode | undefined {
          const parent = typeInfo.getParentType();
          if (!parent || !isObjectType(parent)) return undefined;
          const key = keys.get(parent.name);
          if (key === undefined) return undefined;
          changed = true;
          return {
            ...node,
            selections: [
              ...node.selections,
              field(TYPENAME_ALIAS, '__typename'),
              field(KEY_ALIAS, key),
            ],
          };
        },
      },
    }),
  );
  return changed ? print(result) : query;
}

/** Adds the tag of every entity in a subgraph's `data` (tagged by {@link EntityTagger}) to `into`. */
export function collectEntities(data: unknown, into: Set<string>): void {
  if (Array.isArray(data)) {
    for (const item of data) collectEntities(item, into);
    return;
  }
  if (typeof data !== 'object' || data === null) return;
  const object = data as Record<string, unknown>;
  const type = object[TYPENAME_ALIAS];
  const key = object[KEY_ALIAS];
  if (
    typeof type === 'string' &&
    (typeof key === 'string' || typeof key === 'number')
  )
    into.add(entityTag(type, key));
  for (const value of Object.values(object))
    if (typeof value === 'object' && value !== null)
      collectEntities(value, into);
}
