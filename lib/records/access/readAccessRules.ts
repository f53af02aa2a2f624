/**
 * The one reader of the city graph's access rules. It reads the Federation
 * authorization directives (`@authenticated`, `@requiresScopes`, `@policy`,
 * under their imported, renamed or `@federation__` names) and `@tag`s from
 * either kind of schema:
 *
 * - a **subgraph** schema (its SDL, or the schema `buildSubgraphSchema`
 *   built): what `applyAccessRules` enforces, including `@inaccessible`
 *   fields (they are resolved, so they are guarded), with the `@key` of each
 *   entity so the enforcer can name the records it serves;
 * - the composed **supergraph** (its SDL): what auditors are shown
 *   (`accessRules`, docs/access-rules.md) and what the gateway uses to know,
 *   before executing, which operations touch protected fields; only the API
 *   (no `@inaccessible` element, no link/join machinery), each field with
 *   its owning subgraphs from `@join__field`/`@join__type`.
 *
 * The effective rule of a field is its own directives AND its type's AND
 * those of the named type it returns, for both, so what auditors read is
 * what the subgraphs enforce.
 */
import {
  Kind,
  parse,
  valueFromASTUntyped,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLSchema,
  type TypeNode,
} from 'graphql';
import {
  ALL_SCOPES,
  POLICIES,
  policiesForScopes,
  ROLE_NAMES,
  ROLE_PURPOSES,
  ROLE_SCOPES,
} from '../../runtime/roles.js';
import { createViewer } from '../../runtime/viewer.js';
import {
  combineRequirements,
  evaluateAccess,
  isPublicRequirement,
  type AccessRequirement,
} from './accessRequirement.js';
import {
  hasInaccessible,
  isSchemaNode,
  linkedNames,
  readLinks,
  readRequirement,
  readTags,
  resolveDirectiveNames,
  type DirectedNode,
} from './linkedDirectives.js';

/** The `@tag` name that marks personal data (GDPR art. 4(1)). */
export const PERSONAL_DATA_TAG = 'personal-data';

/** One field of an object type with its access rule. */
export interface AccessRule {
  /** The object type, e.g. `CitizenReport`. */
  readonly type: string;
  /** The field, e.g. `reporterEmail`. */
  readonly field: string;
  /** `Type.field`. */
  readonly coordinate: string;
  /** The named type the field returns, e.g. `String`. */
  readonly returnType: string;
  /** Subgraphs that resolve the field (`@join__field`/`@join__type` graphs), sorted; `[]` in a subgraph schema. */
  readonly subgraphs: string[];
  /** The effective requirement: field AND type AND return type. */
  readonly rule: AccessRequirement;
  /** Whether anyone, without a token, may read it. */
  readonly public: boolean;
  /** Whether the field (or its type) is tagged `@tag(name: "personal-data")`. */
  readonly personalData: boolean;
  /** Every `@tag` name of the field and its type. */
  readonly tags: readonly string[];
  /**
   * For personal data: the purposes for which it may be read, those of every
   * role (lib/runtime/roles.ts) that meets the rule; one must be declared
   * per request. Empty for other fields.
   */
  readonly purposes: readonly string[];
}

/** Everything {@link readAccessRules} reads from one schema. */
export interface AccessRules {
  /** Every field of every object type (public ones included), sorted by type then field. */
  readonly fields: readonly AccessRule[];
  /** The same rules by coordinate. */
  readonly byCoordinate: ReadonlyMap<string, AccessRule>;
  /** Requirements declared on types themselves (objects, interfaces, scalars, enums), protected types only. */
  readonly types: ReadonlyMap<string, AccessRequirement>;
  /** The fields of the first `@key` of each entity type of a subgraph schema (simple keys only). */
  readonly keys: ReadonlyMap<string, readonly string[]>;
}

/** Options of {@link readAccessRules}. */
export interface ReadAccessRulesOptions {
  /**
   * Scopes a schema may name; any other is a typo that would lock a field
   * for everyone, so it is refused. `null` accepts any scope.
   * @default the vocabulary of lib/runtime/roles.ts for a subgraph schema; any for a supergraph
   */
  readonly knownScopes?: Iterable<string> | null;
  /**
   * Policies a schema may name; `null` accepts any.
   * @default the policy names of lib/runtime/roles.ts for a subgraph schema; any for a supergraph
   */
  readonly knownPolicies?: Iterable<string> | null;
}

/** Where rules are read from: SDL text, a parsed document, or a built subgraph schema. */
export type AccessRulesInput = string | DocumentNode | GraphQLSchema;

interface TypeInfo {
  readonly kind: Kind;
  readonly nodes: DirectedNode[];
  readonly fields: FieldDefinitionNode[];
}

// Types and fields that belong to Federation itself, not to the data.
const FEDERATION_TYPES = new Set(['_Service', '_Entity', '_Any', '_FieldSet']);
const FEDERATION_FIELDS = new Set(['Query._entities', 'Query._service']);

const OBJECT_KINDS = new Set<Kind>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
]);
// Kinds whose own directives take part in a field's rule.
const RULED_KINDS = new Set<Kind>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.ENUM_TYPE_DEFINITION,
]);
const TYPE_KINDS = new Set<Kind>([
  ...OBJECT_KINDS,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_EXTENSION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.ENUM_TYPE_EXTENSION,
  Kind.UNION_TYPE_DEFINITION,
  Kind.UNION_TYPE_EXTENSION,
  Kind.INPUT_OBJECT_TYPE_DEFINITION,
  Kind.INPUT_OBJECT_TYPE_EXTENSION,
]);

function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE
    ? type.name.value
    : namedTypeOf(type.type);
}

function arg(directive: DirectiveNode, name: string): unknown {
  const node = directive.arguments?.find((a) => a.name.value === name);
  return node ? valueFromASTUntyped(node.value) : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// A built schema's definitions: its schema node, then each type's
// definition and extensions (those carry the directives and fields).
function definitionsOf(source: AccessRulesInput): readonly DefinitionNode[] {
  if (typeof source === 'string') return parse(source).definitions;
  if ('kind' in source) return source.definitions;
  const definitions: DefinitionNode[] = [];
  if (source.astNode) definitions.push(source.astNode);
  definitions.push(...source.extensionASTNodes);
  for (const type of Object.values(source.getTypeMap())) {
    if (type.astNode) definitions.push(type.astNode);
    definitions.push(...type.extensionASTNodes);
  }
  return definitions;
}

function collectTypes(
  definitions: readonly DefinitionNode[],
): Map<string, TypeInfo> {
  const types = new Map<string, TypeInfo>();
  for (const definition of definitions) {
    if (!TYPE_KINDS.has(definition.kind) || !('name' in definition)) continue;
    const name = definition.name?.value;
    if (!name) continue;
    let info = types.get(name);
    if (!info) {
      info = {
        kind: definition.kind.replace('Extension', 'Definition') as Kind,
        nodes: [],
        fields: [],
      };
      types.set(name, info);
    }
    info.nodes.push(definition as DirectedNode);
    if (OBJECT_KINDS.has(definition.kind) && 'fields' in definition) {
      info.fields.push(...((definition.fields ?? []) as FieldDefinitionNode[]));
    }
  }
  return types;
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

/** The purposes of the roles that meet `rule`, sorted. */
function purposesMeeting(rule: AccessRequirement): string[] {
  const purposes = new Set<string>();
  for (const role of ROLE_NAMES) {
    const scopes = ROLE_SCOPES[role];
    const viewer = createViewer(
      `role:${role}`,
      scopes,
      policiesForScopes(scopes),
    );
    if (!evaluateAccess(rule, viewer).allowed) continue;
    for (const purpose of ROLE_PURPOSES[role]) purposes.add(purpose);
  }
  return [...purposes].sort(compare);
}

/**
 * Reads every rule of a subgraph or supergraph schema (see the module
 * comment); which one it is follows from its `@link`s (a supergraph links
 * the join spec).
 * @throws Error when the SDL does not parse, a directive is malformed, or
 *   a rule names a scope or policy outside the known vocabulary (fail at
 *   startup rather than lock or open a field by typo).
 */
export function readAccessRules(
  source: AccessRulesInput,
  options: ReadAccessRulesOptions = {},
): AccessRules {
  const definitions = definitionsOf(source);
  const links = readLinks(definitions.filter(isSchemaNode));
  const names = resolveDirectiveNames(links);
  const supergraph = links.some((link) => link.spec === 'join');
  // A subgraph checks its vocabulary when it starts (it enforces); a
  // supergraph is only read, and was composed from checked subgraphs.
  const knownScopes =
    options.knownScopes === null ||
    (supergraph && options.knownScopes === undefined)
      ? null
      : new Set(options.knownScopes ?? ALL_SCOPES);
  const knownPolicies =
    options.knownPolicies === null ||
    (supergraph && options.knownPolicies === undefined)
      ? null
      : new Set(options.knownPolicies ?? Object.keys(POLICIES));
  const joinType = linkedNames(links, ['join'], 'type');
  const joinField = linkedNames(links, ['join'], 'field');
  const joinGraph = linkedNames(links, ['join'], 'graph');
  const joinGraphEnum = [...linkedNames(links, ['join'], 'Graph')];
  const keyNames = linkedNames(links, ['federation'], 'key');
  // Everything a spec brings along (join__Graph, link__Purpose, policy__Policy, ...).
  const namespaces = links.map((link) => `${link.namespace}__`);
  const isMachinery = (name: string) =>
    name.startsWith('__') ||
    FEDERATION_TYPES.has(name) ||
    namespaces.some((prefix) => name.startsWith(prefix)) ||
    /^(link|federation|join)__/.test(name);

  const types = collectTypes(definitions);
  // Only the API of a supergraph is shown; a subgraph resolves (and so
  // guards) its @inaccessible elements too.
  const hidden = (nodes: readonly (DirectedNode | null | undefined)[]) =>
    supergraph && hasInaccessible(nodes, names);

  // join__Graph enum value → subgraph name from @join__graph(name:).
  const graphNames = new Map<string, string>();
  for (const definition of definitions) {
    if (
      definition.kind !== Kind.ENUM_TYPE_DEFINITION ||
      !joinGraphEnum.includes(definition.name.value)
    ) {
      continue;
    }
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => joinGraph.has(d.name.value));
      const name = graph ? arg(graph, 'name') : undefined;
      graphNames.set(
        value.name.value,
        typeof name === 'string' ? name : value.name.value.toLowerCase(),
      );
    }
  }
  const graphName = (value: unknown): string | undefined =>
    typeof value === 'string' ? (graphNames.get(value) ?? value) : undefined;

  const typeRules = new Map<string, AccessRequirement>();
  const typeRule = (name: string): AccessRequirement => {
    let rule = typeRules.get(name);
    if (!rule) {
      const info = types.get(name);
      rule =
        info && RULED_KINDS.has(info.kind)
          ? readRequirement(info.nodes, names, name)
          : readRequirement([], names, name);
      checkNames(rule, name, knownScopes, knownPolicies);
      typeRules.set(name, rule);
    }
    return rule;
  };

  const protectedTypes = new Map<string, AccessRequirement>();
  const keys = new Map<string, readonly string[]>();
  const rules: AccessRule[] = [];
  for (const [typeName, info] of types) {
    if (isMachinery(typeName)) continue;
    const own = typeRule(typeName);
    if (!isPublicRequirement(own)) protectedTypes.set(typeName, own);
    if (info.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    if (hidden(info.nodes)) continue;
    if (!supergraph) {
      const key = info.nodes
        .flatMap((node) => node.directives ?? [])
        .find((d) => keyNames.has(d.name.value));
      const fields = key ? arg(key, 'fields') : undefined;
      if (typeof fields === 'string' && !/[{}]/.test(fields)) {
        keys.set(typeName, fields.trim().split(/[\s,]+/));
      }
    }
    const typeOwners = info.nodes.flatMap((node) =>
      (node.directives ?? [])
        .filter((d) => joinType.has(d.name.value))
        .map((d) => graphName(arg(d, 'graph'))),
    );
    const typeTags = readTags(info.nodes, names);
    for (const field of info.fields) {
      const coordinate = `${typeName}.${field.name.value}`;
      if (FEDERATION_FIELDS.has(coordinate) || hidden([field])) continue;
      const returnType = namedTypeOf(field.type);
      if (types.has(returnType) && hidden(types.get(returnType)?.nodes ?? [])) {
        continue;
      }
      const joins = (field.directives ?? []).filter((d) =>
        joinField.has(d.name.value),
      );
      const owners =
        joins.length === 0
          ? typeOwners
          : joins
              .filter(
                (d) =>
                  arg(d, 'external') !== true &&
                  arg(d, 'usedOverridden') !== true,
              )
              .map((d) => graphName(arg(d, 'graph')));
      const fieldOwn = readRequirement([field], names, coordinate);
      checkNames(fieldOwn, coordinate, knownScopes, knownPolicies);
      const rule = combineRequirements(fieldOwn, own, typeRule(returnType));
      const tags = [...new Set([...typeTags, ...readTags([field], names)])];
      rules.push({
        type: typeName,
        field: field.name.value,
        coordinate,
        returnType,
        subgraphs: [
          ...new Set(owners.filter((o): o is string => o !== undefined)),
        ].sort(compare),
        rule,
        public: isPublicRequirement(rule),
        personalData: tags.includes(PERSONAL_DATA_TAG),
        tags: tags.sort(compare),
        purposes: tags.includes(PERSONAL_DATA_TAG) ? purposesMeeting(rule) : [],
      });
    }
  }
  rules.sort((a, b) => compare(a.type, b.type) || compare(a.field, b.field));
  return {
    fields: rules,
    byCoordinate: new Map(rules.map((rule) => [rule.coordinate, rule])),
    types: protectedTypes,
    keys,
  };
}
