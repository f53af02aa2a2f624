/**
 * Lists every access rule of the composed city graph, for auditors: each
 * object type and field of the supergraph's API (public ones included) with
 * its effective rule, owning subgraph(s) and whether it is personal data.
 * The effective rule combines field, type and return-type rules exactly as
 * the subgraphs enforce them (./applyAccessRules.ts).
 */
import {
  Kind,
  parse,
  valueFromASTUntyped,
  type DefinitionNode,
  type DirectiveNode,
  type FieldDefinitionNode,
  type TypeNode,
} from 'graphql';
import {
  combineRequirements,
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

/** One field of the supergraph's API with its access rule. */
export interface AccessRule {
  /** The object type, e.g. `CitizenReport`. */
  readonly type: string;
  /** The field, e.g. `reporterEmail`. */
  readonly field: string;
  /** `Type.field`. */
  readonly coordinate: string;
  /** The named type the field returns, e.g. `String`. */
  readonly returnType: string;
  /** Subgraphs that resolve the field (`@join__field`/`@join__type` graphs), sorted. */
  readonly subgraphs: string[];
  /** The effective requirement: field AND type AND return type. */
  readonly rule: AccessRequirement;
  /** Whether anyone, without a token, may read it. */
  readonly public: boolean;
  /** Whether the field (or its type) is tagged `@tag(name: "personal-data")`. */
  readonly personalData: boolean;
}

interface TypeInfo {
  readonly kind: Kind;
  readonly nodes: DirectedNode[];
  readonly fields: FieldDefinitionNode[];
}

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

const OBJECT_KINDS = new Set<Kind>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
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

/**
 * Reads every object type and field of the API of a composed supergraph
 * (without `@inaccessible` elements and link/join machinery), sorted by type
 * then field.
 * @param supergraphSdl The output of composition (`supergraphSdl`).
 * @throws Error when the SDL does not parse or a directive is malformed.
 */
export function readSupergraphAccessRules(supergraphSdl: string): AccessRule[] {
  const document = parse(supergraphSdl);
  const links = readLinks(document.definitions.filter(isSchemaNode));
  const names = resolveDirectiveNames(links);
  const joinType = linkedNames(links, ['join'], 'type');
  const joinField = linkedNames(links, ['join'], 'field');
  const joinGraph = linkedNames(links, ['join'], 'graph');
  const joinGraphEnum = [...linkedNames(links, ['join'], 'Graph')];
  // Everything a spec brings along (join__Graph, link__Purpose, policy__Policy, ...).
  const namespaces = links.map((link) => `${link.namespace}__`);
  const isMachinery = (name: string) =>
    name.startsWith('__') ||
    namespaces.some((prefix) => name.startsWith(prefix));

  const types = collectTypes(document.definitions);

  // join__Graph enum value → subgraph name from @join__graph(name:).
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
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
      rule = readRequirement(types.get(name)?.nodes ?? [], names, name);
      typeRules.set(name, rule);
    }
    return rule;
  };

  const rules: AccessRule[] = [];
  for (const [typeName, info] of types) {
    if (info.kind !== Kind.OBJECT_TYPE_DEFINITION || isMachinery(typeName))
      continue;
    if (hasInaccessible(info.nodes, names)) continue;
    const typeOwners = info.nodes.flatMap((node) =>
      (node.directives ?? [])
        .filter((d) => joinType.has(d.name.value))
        .map((d) => graphName(arg(d, 'graph'))),
    );
    const typeTags = readTags(info.nodes, names);
    for (const field of info.fields) {
      if (hasInaccessible([field], names)) continue;
      const coordinate = `${typeName}.${field.name.value}`;
      const returnType = namedTypeOf(field.type);
      if (
        types.has(returnType) &&
        hasInaccessible(types.get(returnType)?.nodes ?? [], names)
      ) {
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
      const rule = combineRequirements(
        readRequirement([field], names, coordinate),
        typeRule(typeName),
        typeRule(returnType),
      );
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
        personalData:
          typeTags.has(PERSONAL_DATA_TAG) ||
          readTags([field], names).has(PERSONAL_DATA_TAG),
      });
    }
  }
  return rules.sort(
    (a, b) => compare(a.type, b.type) || compare(a.field, b.field),
  );
}
