/**
 * Turns a subscription operation into the query the gateway runs for each
 * of its events: the subscriber's selection of the root field, moved onto
 * the Query field that looks the event's entity up, under the same response
 * key, with the subscriber's fragments and the variables the selection still
 * uses. So `subscription S($l: ID!) { signalPlanChanged(trafficLightId: $l)
 * { name signalPlan { name } } }` becomes `query S($liveEntityId: ID!) {
 * signalPlanChanged: trafficLight(id: $liveEntityId) { name signalPlan {
 * name } } }`, and each answer has exactly the subscription's shape.
 */
import {
  getOperationAST,
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  OperationTypeNode,
  type OperationDefinitionNode,
  type TypeNode,
  type VariableDefinitionNode,
} from 'graphql';
import {
  getArgumentValues,
  getVariableValues,
} from 'graphql/execution/values.js';

/** The variable that carries the looked-up entity's id. */
export const LIVE_ENTITY_VARIABLE = 'liveEntityId';

/** A subscription operation, ready to be answered per event. */
export interface LiveOperation {
  /** The Subscription field, e.g. `signalPlanChanged`. */
  readonly field: string;
  /** Its coerced arguments. */
  readonly args: Readonly<Record<string, unknown>>;
  /** The query run per event (printed). */
  readonly query: string;
  readonly operationName: string | undefined;
  /** The subscriber's variables the query still uses. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** The root field's response key (its alias, or its name). */
  readonly responseKey: string;
}

/** Why an operation cannot be a live one: a message for the subscriber. */
export class LiveOperationError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'LiveOperationError';
  }
}

/** What the Query lookup of a field is. */
export interface LiveLookup {
  readonly queryField: string;
  readonly argument: string;
}

/** The root field of a subscription operation and its arguments (coerced). */
export function subscriptionRoot(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Readonly<Record<string, unknown>>,
): {
  operation: OperationDefinitionNode;
  fieldNode: FieldNode;
  args: Record<string, unknown>;
} {
  const operation = getOperationAST(document, operationName);
  if (!operation)
    throw new LiveOperationError(
      operationName
        ? `No operation named "${operationName}" in the document.`
        : 'The document must hold exactly one operation, or name the one to run.',
      'BAD_USER_INPUT',
    );
  if (operation.operation !== 'subscription')
    throw new LiveOperationError(
      `This transport serves subscriptions; send ${operation.operation} operations over HTTP POST to /graphql.`,
      'BAD_REQUEST',
    );
  const [fieldNode, ...rest] = operation.selectionSet.selections;
  if (!fieldNode || rest.length > 0 || fieldNode.kind !== Kind.FIELD)
    throw new LiveOperationError(
      'A subscription selects exactly one field of Subscription, without a fragment at its root.',
      'GRAPHQL_VALIDATION_FAILED',
    );
  const fieldDef = schema.getSubscriptionType()?.getFields()[
    fieldNode.name.value
  ];
  if (!fieldDef)
    throw new LiveOperationError(
      `Subscription has no field "${fieldNode.name.value}".`,
      'GRAPHQL_VALIDATION_FAILED',
    );
  const coerced = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    variableValues,
    { maxErrors: 5 },
  );
  if (coerced.errors)
    throw new LiveOperationError(
      coerced.errors.map((e) => e.message).join(' '),
      'BAD_USER_INPUT',
    );
  return {
    operation,
    fieldNode,
    args: getArgumentValues(fieldDef, fieldNode, coerced.coerced),
  };
}

function idType(schema: GraphQLSchema, lookup: LiveLookup): TypeNode {
  const queryFields = schema.getQueryType()?.getFields() ?? {};
  const arg = queryFields[lookup.queryField]?.args.find(
    (a) => a.name === lookup.argument,
  );
  if (!arg)
    throw new LiveOperationError(
      `Query.${lookup.queryField}(${lookup.argument}:) is not in the city graph now.`,
      'SERVICE_UNAVAILABLE',
    );
  // ID! (or ID): the type as written in the schema.
  const nonNull = String(arg.type).endsWith('!');
  const named = {
    kind: Kind.NAMED_TYPE,
    name: { kind: Kind.NAME, value: String(arg.type).replace(/!$/, '') },
  } as const;
  return nonNull ? { kind: Kind.NON_NULL_TYPE, type: named } : named;
}

/** Builds the per-event query of a subscription operation (see the module comment). */
export function buildLiveOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Readonly<Record<string, unknown>>,
  lookupOf: (field: string) => LiveLookup | undefined,
): LiveOperation {
  const { operation, fieldNode, args } = subscriptionRoot(
    schema,
    document,
    operationName,
    variableValues,
  );
  const field = fieldNode.name.value;
  const lookup = lookupOf(field);
  if (!lookup)
    throw new LiveOperationError(
      `Subscription.${field} is not served by this gateway yet.`,
      'BAD_REQUEST',
    );
  const selection: FieldNode = {
    ...fieldNode,
    alias: {
      kind: Kind.NAME,
      value: (fieldNode.alias ?? fieldNode.name).value,
    },
    name: { kind: Kind.NAME, value: lookup.queryField },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: lookup.argument },
        value: {
          kind: Kind.VARIABLE,
          name: { kind: Kind.NAME, value: LIVE_ENTITY_VARIABLE },
        },
      },
    ],
  };
  const fragments = document.definitions.filter(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
  );
  // Only the variables the moved selection still uses: those of the
  // subscription field's own arguments are gone with them.
  const used = new Set<string>();
  for (const node of [selection, ...fragments])
    visit(node, {
      Variable(variable) {
        used.add(variable.name.value);
      },
    });
  const kept = (operation.variableDefinitions ?? []).filter((d) =>
    used.has(d.variable.name.value),
  );
  const liveVariable: VariableDefinitionNode = {
    kind: Kind.VARIABLE_DEFINITION,
    variable: {
      kind: Kind.VARIABLE,
      name: { kind: Kind.NAME, value: LIVE_ENTITY_VARIABLE },
    },
    type: idType(schema, lookup),
  };
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        ...(operation.name ? { name: operation.name } : {}),
        variableDefinitions: [...kept, liveVariable],
        directives: [],
        selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] },
      },
      ...fragments,
    ],
  };
  const variables: Record<string, unknown> = {};
  for (const d of kept) {
    const name = d.variable.name.value;
    if (name in variableValues) variables[name] = variableValues[name];
  }
  return {
    field,
    args,
    responseKey: selection.alias?.value ?? field,
    query: print(query),
    operationName: operation.name?.value,
    variables,
  };
}

/** The alias of the `i`th lookup of a batched query. */
export const batchAlias = (i: number) => `live${i}`;
/** The variable of the `i`th lookup of a batched query. */
export const batchVariable = (i: number) => `${LIVE_ENTITY_VARIABLE}${i}`;

/**
 * The per-event query of {@link buildLiveOperation} for `n` events at once:
 * the lookup repeated under the aliases `live0`...`live<n-1>`, each with its
 * own id variable (`liveEntityId0`...), so the events of one broker read
 * that share a selection are resolved by one execution.
 */
export function batchLiveQuery(query: string, n: number): string {
  const document = parse(query);
  const [operation, ...fragments] = document.definitions;
  if (operation?.kind !== Kind.OPERATION_DEFINITION)
    throw new Error('not a live query');
  const [root] = operation.selectionSet.selections;
  if (root?.kind !== Kind.FIELD) throw new Error('not a live query');
  const liveDefinition = operation.variableDefinitions?.find(
    (d) => d.variable.name.value === LIVE_ENTITY_VARIABLE,
  );
  if (!liveDefinition) throw new Error('not a live query');
  const others = (operation.variableDefinitions ?? []).filter(
    (d) => d !== liveDefinition,
  );
  const variable = (i: number) =>
    ({
      kind: Kind.VARIABLE,
      name: { kind: Kind.NAME, value: batchVariable(i) },
    }) as const;
  const selections: FieldNode[] = [];
  const definitions: VariableDefinitionNode[] = [...others];
  for (let i = 0; i < n; i++) {
    definitions.push({ ...liveDefinition, variable: variable(i) });
    selections.push({
      ...root,
      alias: { kind: Kind.NAME, value: batchAlias(i) },
      arguments: (root.arguments ?? []).map((a) => ({
        ...a,
        value: variable(i),
      })),
    });
  }
  return print({
    kind: Kind.DOCUMENT,
    definitions: [
      {
        ...operation,
        variableDefinitions: definitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections },
      },
      ...fragments,
    ],
  });
}
