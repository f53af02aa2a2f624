/**
 * Internal to the gateway: a validation rule that prices the objects an
 * operation can make the subgraphs load, list sizes included (issue 9,
 * finding 5). Each field costs 1 per time it can be resolved: the product
 * of the sizes of the lists above it. A list's size
 * is its `first` argument (a variable counts as the largest page, 100;
 * absent, the default page, 20), a known cardinality (`districts`: 16), or
 * {@link LIST_COST.defaultListSize} for other lists; `nodes`/`edges` of a
 * page are the page itself. Every selection, `__typename` included, also
 * counts toward a cap on the fields of the document, and every alias toward
 * the alias limit (GraphQL Armor's alias count skips `__typename`).
 */
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type ASTVisitor,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from '../../lib/runtime/pageSizes.js';

/** The limits, documented in docs/errors.md. */
export const LIST_COST = {
  /** Fields an operation may make the subgraphs resolve (estimated, lists multiplied). */
  maxCost: 2_500,
  /** Field selections in the document, `__typename` included. */
  maxFields: 500,
  /** Aliases, `__typename` included (GraphQL Armor's limit is kept too). */
  maxAliases: 20,
  /** Size assumed for a list without `first` whose size is not known. */
  defaultListSize: 10,
} as const;

/** Lists of known size (reference data). */
const KNOWN_LIST_SIZES: Readonly<Record<string, number>> = {
  'Query.districts': 16,
};

function intArgument(
  field: {
    arguments?: readonly {
      name: { value: string };
      value: { kind: string; value?: unknown };
    }[];
  },
  name: string,
): number | 'variable' | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  if (arg.value.kind === Kind.VARIABLE) return 'variable';
  if (arg.value.kind === Kind.INT) return Number(arg.value.value);
  return undefined;
}

function listSize(
  parent: GraphQLCompositeType,
  definition: GraphQLField<unknown, unknown>,
  node: Parameters<typeof intArgument>[0],
): number {
  const type = getNullableType(definition.type);
  const known = KNOWN_LIST_SIZES[`${parent.name}.${definition.name}`];
  if (known !== undefined) return known;
  const isPage =
    /(?:Connection|Page)$/.test(parent.name) &&
    (definition.name === 'nodes' || definition.name === 'edges');
  if (isPage) return 1;
  const hasFirst = definition.args.some((a) => a.name === 'first');
  if (hasFirst) {
    const first = intArgument(node, 'first');
    if (first === 'variable') return MAX_PAGE_SIZE;
    if (first === undefined) return DEFAULT_PAGE_SIZE;
    return Math.max(1, Math.min(first, MAX_PAGE_SIZE));
  }
  return isListType(type) ? LIST_COST.defaultListSize : 1;
}

interface Tally {
  cost: number;
  fields: number;
  aliases: number;
}

function walk(
  context: ValidationContext,
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  multiplier: number,
  tally: Tally,
  seen: ReadonlySet<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (tally.cost > LIST_COST.maxCost || tally.fields > LIST_COST.maxFields)
      return;
    if (selection.kind === Kind.FIELD) {
      tally.fields += 1;
      tally.cost += multiplier;
      if (selection.alias) tally.aliases += 1;
      if (!isObjectType(parent) && !('getFields' in parent)) continue;
      const definition = (
        parent as {
          getFields(): Record<string, GraphQLField<unknown, unknown>>;
        }
      ).getFields()[selection.name.value];
      if (!definition || !selection.selectionSet) continue;
      const named = getNamedType(definition.type);
      if (!isCompositeType(named)) continue;
      const times = multiplier * listSize(parent, definition, selection);
      walk(context, schema, selection.selectionSet, named, times, tally, seen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition
        ? schema.getType(selection.typeCondition.name.value)
        : parent;
      if (!condition || !isCompositeType(condition)) continue;
      walk(
        context,
        schema,
        selection.selectionSet,
        condition,
        multiplier,
        tally,
        seen,
      );
    } else {
      const name = selection.name.value;
      // A fragment cycle is reported by NoFragmentCyclesRule.
      if (seen.has(name)) continue;
      const fragment = context.getFragment(name);
      if (!fragment) continue;
      const condition = schema.getType(fragment.typeCondition.name.value);
      if (!condition || !isCompositeType(condition)) continue;
      walk(
        context,
        schema,
        fragment.selectionSet,
        condition,
        multiplier,
        tally,
        new Set([...seen, name]),
      );
    }
  }
}

/** The validation rule (see the module comment). */
export function listCostRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      const schema = context.getSchema();
      const root =
        node.operation === 'query'
          ? schema.getQueryType()
          : node.operation === 'mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      if (!root) return;
      // Introspection is bounded by the schema's own size.
      const onlyIntrospection = node.selectionSet.selections.every(
        (s) =>
          s.kind === Kind.FIELD &&
          (s.name.value === '__schema' || s.name.value === '__type'),
      );
      if (onlyIntrospection) return;
      const tally: Tally = { cost: 0, fields: 0, aliases: 0 };
      walk(context, schema, node.selectionSet, root, 1, tally, new Set());
      if (tally.cost > LIST_COST.maxCost)
        context.reportError(
          new GraphQLError(
            `Operation too costly: it could load more than ${LIST_COST.maxCost} objects (list sizes multiplied, "first" counted). Ask for smaller pages or fewer nested lists.`,
            { nodes: [node] },
          ),
        );
      else if (tally.fields > LIST_COST.maxFields)
        context.reportError(
          new GraphQLError(
            `Operation too large: more than ${LIST_COST.maxFields} field selections.`,
            { nodes: [node] },
          ),
        );
      else if (tally.aliases > LIST_COST.maxAliases)
        context.reportError(
          new GraphQLError(
            `Too many aliases: ${tally.aliases}, at most ${LIST_COST.maxAliases} (__typename included).`,
            { nodes: [node] },
          ),
        );
    },
  };
}
