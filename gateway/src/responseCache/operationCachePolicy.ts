/**
 * Not public: how long the answer of an operation may be kept, from the
 * `@cacheControl` hints of the fields it selects, computed once per
 * document before it runs (the gateway resolves nothing itself, so Apollo
 * Server's cache-control plugin, which reads hints as fields resolve, never
 * sees one). The rules are Apollo's (docs: "Caching with Apollo Server"):
 *
 * - the operation's maxAge is the smallest maxAge of the fields it selects;
 *   its scope is PRIVATE if any hint says PRIVATE;
 * - a field's maxAge is its own hint's; otherwise, for a field returning a
 *   composite type, the type's hint (for an interface or union, the smallest
 *   of its own and its possible types'); otherwise a root field, or a field
 *   returning an entity (a type with a `@key`), has maxAge 0: not cacheable
 *   unless a department said how long it may be kept;
 * - one difference, written down on purpose: a field returning a value type
 *   (a composite type with no `@key`, e.g. `Quantity`, `AirQuality`)
 *   inherits its parent's maxAge, as if every value type were declared
 *   `@cacheControl(inheritMaxAge: true)`. A value type is part of the entity
 *   that holds it: it changes when that entity changes, and is invalidated
 *   with it;
 * - scalar fields inherit their parent's maxAge (Apollo's rule);
 * - a field returning an interface or a union (`node(id:)`) makes the
 *   operation uncacheable, whatever its hints: the entities of such a
 *   selection are not tagged, so their changes could not drop the answer.
 */
import {
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { CacheModel, CacheScope } from './cacheModel.js';

/** The freshness of an operation's answer. */
export interface OperationCachePolicy {
  /** Seconds the answer may be kept; 0 = not cacheable. */
  readonly maxAge: number;
  readonly scope: CacheScope;
}

/** Computes the policy of the operation `operationName` of `document` (see the module comment). */
export function operationCachePolicy(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  model: CacheModel,
): OperationCachePolicy {
  const operations = document.definitions.filter(
    (d) => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operationName == null
      ? operations.length === 1
        ? operations[0]
        : undefined
      : operations.find((o) => o.name?.value === operationName);
  if (!operation || operation.operation !== 'query')
    return { maxAge: 0, scope: 'PUBLIC' };
  const selected: DocumentNode = {
    ...document,
    definitions: [
      operation,
      ...document.definitions.filter(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION,
      ),
    ],
  };

  let maxAge = Number.POSITIVE_INFINITY;
  let scope: CacheScope = 'PUBLIC';
  const restrict = (age: number | undefined, hintScope?: CacheScope) => {
    if (age !== undefined) maxAge = Math.min(maxAge, age);
    if (hintScope === 'PRIVATE') scope = 'PRIVATE';
  };
  const queryType = schema.getQueryType();
  const typeHint = (name: string) => {
    const type = schema.getType(name);
    const hints = [model.typeHints.get(name)];
    if (type && isAbstractType(type))
      for (const possible of schema.getPossibleTypes(type))
        hints.push(model.typeHints.get(possible.name));
    const ages = hints
      .map((h) => h?.maxAge)
      .filter((a): a is number => a !== undefined);
    return {
      maxAge: ages.length > 0 ? Math.min(...ages) : undefined,
      scope: hints.some((h) => h?.scope === 'PRIVATE')
        ? ('PRIVATE' as const)
        : undefined,
      inheritMaxAge: hints.some((h) => h?.inheritMaxAge === true),
      entity:
        model.entityTypes.has(name) ||
        (type !== undefined &&
          isAbstractType(type) &&
          schema
            .getPossibleTypes(type)
            .some((p) => model.entityTypes.has(p.name))),
    };
  };

  const typeInfo = new TypeInfo(schema);
  visit(
    selected,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (node.name.value.startsWith('__')) return;
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) {
          // Not in the schema: validation refuses it; never cache.
          maxAge = 0;
          return;
        }
        const root = parent === queryType;
        const fieldHint = model.fieldHints.get(
          `${parent.name}.${node.name.value}`,
        );
        restrict(fieldHint?.maxAge, fieldHint?.scope);
        if (fieldHint?.maxAge !== undefined) return;
        const returned = getNamedType(field.type);
        if (isAbstractType(returned)) {
          // Never cached: the entities of an interface or union selection
          // are not tagged for invalidation (entityTags.ts), so nothing
          // would drop the answer when one of them changes.
          maxAge = 0;
          return;
        }
        if (isCompositeType(returned)) {
          const hint = typeHint(returned.name);
          restrict(hint.maxAge, hint.scope);
          if (hint.maxAge !== undefined) return;
          if (fieldHint?.inheritMaxAge || hint.inheritMaxAge) return;
          if (root || hint.entity) restrict(0);
          return;
        }
        if (root && !fieldHint?.inheritMaxAge) restrict(0);
      },
    }),
  );
  return {
    maxAge: Number.isFinite(maxAge) ? maxAge : 0,
    scope,
  };
}
