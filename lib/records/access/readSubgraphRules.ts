/**
 * Reads the access rules a subgraph declares in its own schema with
 * `@authenticated`, `@requiresScopes` and `@policy` (imported under their
 * names, renamed, or as `@federation__<name>`).
 */
import {
  getNamedType,
  isEnumType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { POLICIES, ALL_SCOPES } from '../../runtime/roles.js';
import {
  combineRequirements,
  isPublicRequirement,
  PUBLIC_REQUIREMENT,
  type AccessRequirement,
} from './accessRequirement.js';
import {
  readLinks,
  readRequirement,
  readTags,
  resolveDirectiveNames,
  type DirectiveNames,
} from './linkedDirectives.js';

/** The rules of one subgraph schema. */
export interface SubgraphAccessRules {
  /** Requirements declared on types themselves (objects, scalars, enums), by type name; protected types only. */
  readonly types: ReadonlyMap<string, AccessRequirement>;
  /**
   * Effective requirement of every field of every object type (public ones
   * included), by coordinate `Type.field`: the field's own directives AND
   * its type's AND its return named type's.
   */
  readonly fields: ReadonlyMap<string, AccessRequirement>;
  /** Tags (`@tag(name:)`) of fields by coordinate, e.g. `personal-data`; tagged fields only. */
  readonly tags: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Options of {@link readSubgraphRules}. */
export interface ReadSubgraphRulesOptions {
  /**
   * Scopes a schema may name; any other is a typo that would lock a field
   * for everyone, so it is refused. `null` accepts any scope.
   * @default the vocabulary of lib/runtime/roles.ts
   */
  readonly knownScopes?: Iterable<string> | null;
  /**
   * Policies a schema may name; `null` accepts any.
   * @default the policy names of lib/runtime/roles.ts
   */
  readonly knownPolicies?: Iterable<string> | null;
}

// Types that belong to Federation itself, not to the subgraph's data.
const FEDERATION_TYPES = new Set(['_Service', '_Entity', '_Any', '_FieldSet']);
const FEDERATION_FIELDS = new Set(['Query._entities', 'Query._service']);

/** Whether a type is the subgraph's own (not introspection, Federation or link machinery). */
export function isOwnType(type: GraphQLNamedType): boolean {
  return (
    !type.name.startsWith('__') &&
    !FEDERATION_TYPES.has(type.name) &&
    !/^(link|federation|join)__/.test(type.name)
  );
}

/** The directive names a built subgraph schema uses, from its `@link`s. */
export function subgraphDirectiveNames(schema: GraphQLSchema): DirectiveNames {
  return resolveDirectiveNames(
    readLinks([
      ...(schema.astNode ? [schema.astNode] : []),
      ...schema.extensionASTNodes,
    ]),
  );
}

function typeRequirement(
  type: GraphQLNamedType,
  names: DirectiveNames,
): AccessRequirement {
  if (
    !isObjectType(type) &&
    !isInterfaceType(type) &&
    !isScalarType(type) &&
    !isEnumType(type)
  ) {
    return PUBLIC_REQUIREMENT;
  }
  return readRequirement(
    [type.astNode, ...type.extensionASTNodes],
    names,
    type.name,
  );
}

function checkNames(
  requirement: AccessRequirement,
  where: string,
  knownScopes: ReadonlySet<string> | null,
  knownPolicies: ReadonlySet<string> | null,
): void {
  const check = (
    groups: string[][],
    known: ReadonlySet<string> | null,
    what: string,
  ) => {
    if (!known) return;
    for (const name of groups.flat()) {
      if (!known.has(name)) {
        throw new Error(
          `${where}: unknown ${what} "${name}". Known ${what}s (lib/runtime/roles.ts): ${[...known].join(', ')}.`,
        );
      }
    }
  };
  check(requirement.scopes, knownScopes, 'scope');
  check(requirement.policies, knownPolicies, 'policy');
}

/**
 * Reads every rule of a subgraph schema built by `buildSubgraphSchema`.
 * @throws Error when a directive is malformed or names an unknown scope or
 *   policy (fail at startup rather than lock or open a field by typo).
 */
export function readSubgraphRules(
  schema: GraphQLSchema,
  options: ReadSubgraphRulesOptions = {},
): SubgraphAccessRules {
  const names = subgraphDirectiveNames(schema);
  const knownScopes =
    options.knownScopes === null
      ? null
      : new Set(options.knownScopes ?? ALL_SCOPES);
  const knownPolicies =
    options.knownPolicies === null
      ? null
      : new Set(options.knownPolicies ?? Object.keys(POLICIES));

  const typeCache = new Map<string, AccessRequirement>();
  const ruleOfType = (type: GraphQLNamedType): AccessRequirement => {
    let requirement = typeCache.get(type.name);
    if (!requirement) {
      requirement = typeRequirement(type, names);
      checkNames(requirement, type.name, knownScopes, knownPolicies);
      typeCache.set(type.name, requirement);
    }
    return requirement;
  };

  const types = new Map<string, AccessRequirement>();
  const fields = new Map<string, AccessRequirement>();
  const tags = new Map<string, ReadonlySet<string>>();
  const sortedTypes = Object.values(schema.getTypeMap())
    .filter(isOwnType)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const type of sortedTypes) {
    const own = ruleOfType(type);
    if (!isPublicRequirement(own)) types.set(type.name, own);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (FEDERATION_FIELDS.has(coordinate)) continue;
      const fieldOwn = readRequirement([field.astNode], names, coordinate);
      checkNames(fieldOwn, coordinate, knownScopes, knownPolicies);
      fields.set(
        coordinate,
        combineRequirements(
          fieldOwn,
          own,
          ruleOfType(getNamedType(field.type)),
        ),
      );
      const fieldTags = readTags([field.astNode], names);
      if (fieldTags.size > 0) tags.set(coordinate, fieldTags);
    }
  }
  return { types, fields, tags };
}
