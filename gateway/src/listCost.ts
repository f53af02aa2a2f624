/**
 * Internal to the gateway: the list cost, a price on the objects an
 * operation can make the subgraphs load, list sizes included (issue 9,
 * finding 5). Each field costs 1 per time it can be resolved: the product
 * of the sizes of the lists above it. A list's size is its `first`
 * argument (absent: the argument's schema default, else the default page,
 * 20; `null`: the default page; clamped to 1..100, the subgraphs refuse the
 * rest), a known cardinality (`districts`: 16), or
 * {@link LIST_COST.defaultListSize} for other lists; `nodes`/`edges` of a
 * page are the page itself. Every selection, `__typename` included, also
 * counts toward a cap on the fields of the document, and every alias toward
 * the alias limit (GraphQL Armor's alias count skips `__typename`).
 *
 * A `first` given as a variable is priced with the request's value (issue
 * 13), so one document serves small pages and is refused for large ones.
 * The document is walked once (per document and schema, cached on the
 * operation's node, as Apollo Server caches the validated document): the
 * walk leaves a {@link ListCostShape}, the constant part folded into
 * numbers and the variable page sizes left symbolic; each request then
 * only multiplies those out with its variables ({@link listCostRefusal}:
 * {@link listCostPlugin} for queries and mutations, the live service for a
 * subscription's variables at subscribe time).
 * The validation rule refuses what is over the limit whatever the
 * variables (each variable at its smallest, 1), and the field and alias
 * caps, which do not depend on them.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  isCompositeType,
  isListType,
  getNullableType,
  isObjectType,
  Kind,
  type ArgumentNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
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

/** A page size given as a variable: known per request. */
interface VariablePageSize {
  readonly variable: string;
  /** The size when the request omits the variable (its default, else the argument's). */
  readonly whenOmitted: number;
}

/**
 * The cost of a selection set per time it is resolved: `weight` for the
 * parts whose list sizes are literals, plus each `lists` entry's cost
 * times its size. An entry is kept only where a variable is below it.
 */
interface CostNode {
  weight: number;
  readonly lists: { size: number | VariablePageSize; node: CostNode }[];
}

/** What the walk of one operation leaves: see the module comment. */
export interface ListCostShape {
  readonly cost: CostNode;
  /** Field selections walked (the walk stops past {@link LIST_COST.maxFields}). */
  readonly fields: number;
  readonly aliases: number;
}

const clampPage = (size: number) => Math.max(1, Math.min(size, MAX_PAGE_SIZE));

/** The page size a literal (or a variable's default) says; `undefined` when it is not one. */
function literalPageSize(value: ValueNode): number | undefined {
  if (value.kind === Kind.INT) return clampPage(Number(value.value));
  // `null` pages by the default, as lib/subgraph-kit/pagination.ts `pageSize`.
  if (value.kind === Kind.NULL) return DEFAULT_PAGE_SIZE;
  return undefined;
}

/** What the walk needs of the operation: its fragments and variables. */
interface WalkContext {
  readonly schema: GraphQLSchema;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variableDefaults: ReadonlyMap<string, ValueNode | undefined>;
  fields: number;
  aliases: number;
}

function listSize(
  walk: WalkContext,
  parent: GraphQLCompositeType,
  definition: GraphQLField<unknown, unknown>,
  args: readonly ArgumentNode[] | undefined,
): number | VariablePageSize {
  const known = KNOWN_LIST_SIZES[`${parent.name}.${definition.name}`];
  if (known !== undefined) return known;
  const isPage =
    /(?:Connection|Page)$/.test(parent.name) &&
    (definition.name === 'nodes' || definition.name === 'edges');
  if (isPage) return 1;
  const firstArg = definition.args.find((a) => a.name === 'first');
  if (!firstArg)
    return isListType(getNullableType(definition.type))
      ? LIST_COST.defaultListSize
      : 1;
  // Absent, the argument's default applies (`nearbyTrafficSensors` has 8).
  const declared = firstArg.defaultValue;
  const whenAbsent =
    typeof declared === 'number' && Number.isInteger(declared)
      ? clampPage(declared)
      : DEFAULT_PAGE_SIZE;
  const value = args?.find((a) => a.name.value === 'first')?.value;
  if (!value) return whenAbsent;
  if (value.kind === Kind.VARIABLE) {
    const variable = value.name.value;
    const byDefault = walk.variableDefaults.get(variable);
    return {
      variable,
      whenOmitted: (byDefault && literalPageSize(byDefault)) ?? whenAbsent,
    };
  }
  return literalPageSize(value) ?? DEFAULT_PAGE_SIZE;
}

/** Adds the cost of `selectionSet` on `parent` to `node` (see {@link CostNode}). */
function walkSelections(
  walk: WalkContext,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  node: CostNode,
  seen: ReadonlySet<string>,
): void {
  for (const selection of selectionSet.selections) {
    // The field cap bounds the walk: fragments spread in fragments could
    // otherwise make it exponential in the document's size.
    if (walk.fields > LIST_COST.maxFields) return;
    if (selection.kind === Kind.FIELD) {
      walk.fields += 1;
      node.weight += 1;
      if (selection.alias) walk.aliases += 1;
      if (!isObjectType(parent) && !('getFields' in parent)) continue;
      const definition = (
        parent as {
          getFields(): Record<string, GraphQLField<unknown, unknown>>;
        }
      ).getFields()[selection.name.value];
      if (!definition || !selection.selectionSet) continue;
      const named = getNamedType(definition.type);
      if (!isCompositeType(named)) continue;
      const size = listSize(walk, parent, definition, selection.arguments);
      const child: CostNode = { weight: 0, lists: [] };
      walkSelections(walk, selection.selectionSet, named, child, seen);
      // A part with literal sizes only is a number once and for all.
      if (typeof size === 'number' && child.lists.length === 0)
        node.weight += size * child.weight;
      else node.lists.push({ size, node: child });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition
        ? walk.schema.getType(selection.typeCondition.name.value)
        : parent;
      if (!condition || !isCompositeType(condition)) continue;
      walkSelections(walk, selection.selectionSet, condition, node, seen);
    } else {
      const name = selection.name.value;
      // A fragment cycle is reported by NoFragmentCyclesRule.
      if (seen.has(name)) continue;
      const fragment = walk.fragments.get(name);
      if (!fragment) continue;
      const condition = walk.schema.getType(fragment.typeCondition.name.value);
      if (!condition || !isCompositeType(condition)) continue;
      walkSelections(
        walk,
        fragment.selectionSet,
        condition,
        node,
        new Set([...seen, name]),
      );
    }
  }
}

/** Shapes by operation node, for the schema they were walked against. */
const shapes = new WeakMap<
  OperationDefinitionNode,
  { schema: GraphQLSchema; shape: ListCostShape | null }
>();

function walkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): ListCostShape | null {
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return null;
  // Introspection is bounded by the schema's own size.
  const onlyIntrospection = operation.selectionSet.selections.every(
    (s) =>
      s.kind === Kind.FIELD &&
      (s.name.value === '__schema' || s.name.value === '__type'),
  );
  if (onlyIntrospection) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  const walk: WalkContext = {
    schema,
    fragments,
    variableDefaults: new Map(
      (operation.variableDefinitions ?? []).map((d) => [
        d.variable.name.value,
        d.defaultValue,
      ]),
    ),
    fields: 0,
    aliases: 0,
  };
  const cost: CostNode = { weight: 0, lists: [] };
  walkSelections(walk, operation.selectionSet, root, cost, new Set());
  return { cost, fields: walk.fields, aliases: walk.aliases };
}

/**
 * The cost shape of `operation` (of `document`) against `schema`, walked
 * once and kept as long as the operation's node lives; `null` when the
 * operation is not priced (introspection only, no such root type).
 */
export function listCostShape(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): ListCostShape | null {
  const cached = shapes.get(operation);
  if (cached?.schema === schema) return cached.shape;
  const shape = walkOperation(schema, document, operation);
  shapes.set(operation, { schema, shape });
  return shape;
}

/** How a variable page size is priced: its size, or `null` when the value is not an Int. */
type PriceVariable = (size: VariablePageSize) => number | null;

function evaluate(node: CostNode, price: PriceVariable): number | null {
  let total = node.weight;
  for (const { size, node: child } of node.lists) {
    const times = typeof size === 'number' ? size : price(size);
    if (times === null) return null;
    const each = evaluate(child, price);
    if (each === null) return null;
    total += times * each;
  }
  return total;
}

/**
 * The list cost of a shape with a request's (uncoerced) variables: an
 * omitted variable takes its default (else the argument's), `null` the
 * default page, an integer is clamped to 1..100. `null` when a variable
 * priced is not an integer: variable coercion refuses the request
 * (BAD_USER_INPUT) before anything is fetched, and says why.
 */
export function listCostOf(
  shape: ListCostShape,
  variables: Readonly<Record<string, unknown>> | undefined,
): number | null {
  return evaluate(shape.cost, (size) => {
    // Own properties only, as graphql-js coerces them: `$constructor`
    // omitted must not read Object.prototype's.
    const value =
      variables && Object.hasOwn(variables, size.variable)
        ? variables[size.variable]
        : undefined;
    if (value === undefined) return size.whenOmitted;
    if (value === null) return DEFAULT_PAGE_SIZE;
    if (typeof value === 'number' && Number.isInteger(value))
      return clampPage(value);
    return null;
  });
}

function tooCostly(operation: OperationDefinitionNode, extensions = {}) {
  return new GraphQLError(
    `Operation too costly: it could load more than ${LIST_COST.maxCost} objects (list sizes multiplied, "first" counted). Ask for smaller pages or fewer nested lists.`,
    { nodes: [operation], extensions },
  );
}

/**
 * The refusal of `operation` (of `document`) priced with a request's
 * variables ({@link listCostOf}), with the validation rule's message and
 * `extensions`; `null` when it is within {@link LIST_COST.maxCost}, not
 * priced, or a variable priced is not an integer (coercion refuses it).
 * The one per-request check, for {@link listCostPlugin} and for the live
 * service's subscriptions (ADR 0026).
 */
export function listCostRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  extensions: Readonly<Record<string, unknown>> = {},
): GraphQLError | null {
  const shape = listCostShape(schema, document, operation);
  if (!shape) return null;
  const cost = listCostOf(shape, variables);
  return cost !== null && cost > LIST_COST.maxCost
    ? tooCostly(operation, extensions)
    : null;
}

/** A validation rule pricing each variable page size with `price`. */
function ruleWith(price: PriceVariable) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const shape = listCostShape(
        context.getSchema(),
        context.getDocument(),
        operation,
      );
      if (!shape) return;
      const cost = evaluate(shape.cost, price) ?? 0;
      if (cost > LIST_COST.maxCost) context.reportError(tooCostly(operation));
      else if (shape.fields > LIST_COST.maxFields)
        context.reportError(
          new GraphQLError(
            `Operation too large: more than ${LIST_COST.maxFields} field selections.`,
            { nodes: [operation] },
          ),
        );
      else if (shape.aliases > LIST_COST.maxAliases)
        context.reportError(
          new GraphQLError(
            `Too many aliases: ${shape.aliases}, at most ${LIST_COST.maxAliases} (__typename included).`,
            { nodes: [operation] },
          ),
        );
    },
  });
}

/**
 * The validation rule (see the module comment): refuses an operation over
 * the list cost with every variable page size at 1 (so whatever the
 * variables), over the field cap or the alias limit. The rest of the list
 * cost is checked per request by {@link listCostPlugin}, which must be
 * installed with it.
 */
export const listCostRule = ruleWith(() => 1);

/**
 * The same rule for a validator that never sees variables (the live
 * service sizes the batches of its per-event queries once per text): each
 * variable page size counts as the largest page, 100.
 */
export const worstCaseListCostRule = ruleWith(() => MAX_PAGE_SIZE);

/**
 * Prices the operation with the request's variables once it is resolved,
 * before anything is planned or fetched, and refuses it over
 * {@link LIST_COST.maxCost}: HTTP 400, GRAPHQL_VALIDATION_FAILED and the
 * validation rule's message, as if the rule had seen the variables.
 */
export function listCostPlugin<
  TContext extends BaseContext,
>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const refusal = listCostRefusal(
            schema,
            document,
            operation,
            request.variables,
            { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
          );
          if (refusal) throw refusal;
        },
      };
    },
  };
}
