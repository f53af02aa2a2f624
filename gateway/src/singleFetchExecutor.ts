/**
 * Not public: a fast path in front of @apollo/gateway's executor for
 * operations whose query plan is one fetch to one subgraph (the
 * single-department query: `trafficSensor(id)`), docs/performance.md
 * step 8.
 *
 * For every request @apollo/gateway's executor builds an operation context,
 * hashes the plan key again, rebuilds the operation as
 * @apollo/federation-internals objects (`operationFromDocument`), walks the
 * plan with protobuf trace nodes, deep-merges the subgraph's data into an
 * empty object and shapes the result from it (`computeResponse`). When the
 * plan is one fetch whose selection is the client's own, field for field,
 * the shaped result is the subgraph's data itself, provided that data has
 * exactly the selected keys in order, no null where the API schema says
 * non-null, and only leaf values the API schema accepts. That is what this
 * path checks, per request, on the data the subgraph sent, and then returns
 * it as it came.
 *
 * Everything else is the gateway's own path, unchanged:
 * - operations it has not planned yet (the first request of each: the plan
 *   is read from `experimental_didResolveQueryPlan`), plans of anything else
 *   than one plain fetch (entities, rewrites, several subgraphs), mutations
 *   and subscriptions, selections with fragments, directives, aliases the
 *   planner renamed, `__typename` or introspection, abstract types;
 * - requests whose variables do not coerce (the gateway's own errors), that
 *   capture traces or ask for the query plan;
 * - answers with errors, or data that the check refuses: the one fetch is
 *   not sent again, its answer (or failure) is handed to the gateway's
 *   executor as if the data source had just received it
 *   ({@link takeReplayedFetch}), so errors get their paths, `serviceName`
 *   and codes exactly as before.
 *
 * The fetch itself goes through the same data source with the options the
 * gateway's executor gives it (token, request id, timeout, breaker,
 * deduplication, enforcement report, entity tags, metrics), so no rule,
 * audit, limit or metric sees a difference. Apollo Server's pipeline
 * (parsing, validation, plugins, error formatting) is around the executor
 * and unchanged.
 */
import type {
  ApolloGateway,
  Experimental_DidResolveQueryPlanCallback,
  GraphQLDataSource,
  GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { trace, type Span } from '@opentelemetry/api';
import { counter } from '../../lib/runtime/metrics.js';
import {
  getNamedType,
  getVariableValues,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  Kind,
  parse,
  print,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

type Load = ApolloGateway['load'];
type LoadResult = Awaited<ReturnType<Load>>;
type Executor = NonNullable<LoadResult['executor']>;
type RequestContext = Parameters<Executor>[0];
type ExecutionResult = Awaited<ReturnType<Executor>>;
type DidResolve = Parameters<Experimental_DidResolveQueryPlanCallback>[0];
type QueryPlan = DidResolve['queryPlan'];
/** `GraphQLDataSourceRequestKind.INCOMING_OPERATION` (an enum @apollo/gateway does not export). */
type IncomingKind = Extract<
  GraphQLDataSourceProcessOptions,
  { incomingRequestContext: unknown }
>['kind'];
const INCOMING_OPERATION = 'incoming operation' as IncomingKind;
type DataSourceResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** What a value at one place of the selection must look like. */
type Shape =
  | { kind: 'nonNull'; of: Shape }
  | { kind: 'list'; of: Shape }
  | { kind: 'object'; fields: FieldShape[] }
  | { kind: 'leaf'; accepts: (value: unknown) => boolean };

interface FieldShape {
  responseName: string;
  shape: Shape;
}

/** An operation the fast path serves: its one fetch and the shape of its data. */
interface FastPlan {
  serviceName: string;
  source: GraphQLDataSource;
  operation: string;
  operationName: string | undefined;
  /** The planner's document of the fetch, as the gateway's executor passes it (usually none). */
  document: FetchNode['operationDocumentNode'];
  variableUsages: readonly string[];
  variableDefinitions: readonly VariableDefinitionNode[];
  shape: FieldShape[];
  operationType: string;
}

type FetchNode = Extract<NonNullable<QueryPlan['node']>, { kind: 'Fetch' }>;

/** A fetch the fast path already sent, handed to the gateway's executor. */
type Replay =
  | { serviceName: string; response: DataSourceResponse }
  | { serviceName: string; error: unknown };

// By request context (one object per request, the data source's
// `options.context`): at most one replay, taken once.
const replays = new WeakMap<object, Replay>();

/**
 * The fetch the fast path sent for this request to this subgraph, if it
 * left it to the gateway's executor: the data source returns (or throws)
 * it instead of fetching again. Taken once.
 */
export function takeReplayedFetch(
  context: object,
  serviceName: string,
): Replay | undefined {
  const replay = replays.get(context);
  if (replay?.serviceName !== serviceName) return undefined;
  replays.delete(context);
  return replay;
}

const served = counter(
  'gateway_single_fetch_operations_total',
  'Operations planned as one fetch to one subgraph that took the fast path, by subgraph and by who shaped the answer (fast: the subgraph data as it came; gateway: handed to the gateway executor, e.g. errors).',
  ['subgraph', 'shaped_by'],
);

// The same tracer name and span names as @apollo/gateway's own
// (dist/utilities/opentelemetry.js), so traces look the same either way.
const tracer = trace.getTracer('apollo/gateway-js');

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * Whether the gateway's result shaping keeps a leaf value as it is
 * (@apollo/federation-internals `isValidLeafValue`, on the API schema).
 */
function leafCheck(type: GraphQLOutputType): (value: unknown) => boolean {
  if (isEnumType(type)) {
    const values = new Set(type.getValues().map((v) => v.name));
    return (value) => typeof value === 'string' && values.has(value);
  }
  if (!isScalarType(type) || !isSpecifiedScalarType(type)) return () => true;
  const finite = (value: unknown): value is number =>
    typeof value === 'number' && Number.isFinite(value);
  switch (type.name) {
    case 'Boolean':
      return (value) => typeof value === 'boolean';
    case 'Int':
      return (value) => finite(value) && INTEGER.test(String(value));
    case 'Float':
      return (value) => finite(value);
    case 'ID':
      return (value) =>
        typeof value === 'string' ||
        (finite(value) && INTEGER.test(String(value)));
    default:
      return (value) => typeof value === 'string';
  }
}

/**
 * The shape of a selection the fast path can serve, or null: fields only
 * (no fragment, no directive, no `__` field), each name once, object types
 * only (an abstract type needs `__typename` and shaping).
 */
function shapeOf(
  schema: GraphQLSchema,
  parent: GraphQLObjectType,
  selectionSet: SelectionSetNode,
): FieldShape[] | null {
  const fields: FieldShape[] = [];
  const seen = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return null;
    if (selection.directives?.length) return null;
    const name = selection.name.value;
    if (name.startsWith('__')) return null;
    const responseName = selection.alias?.value ?? name;
    if (seen.has(responseName)) return null;
    seen.add(responseName);
    const definition = parent.getFields()[name];
    if (!definition) return null;
    const shape = typeShape(schema, definition.type, selection);
    if (!shape) return null;
    fields.push({ responseName, shape });
  }
  return fields;
}

function typeShape(
  schema: GraphQLSchema,
  type: GraphQLOutputType,
  field: FieldNode,
): Shape | null {
  if (isNonNullType(type)) {
    const of = typeShape(schema, type.ofType, field);
    return of && { kind: 'nonNull', of };
  }
  if (isListType(type)) {
    const of = typeShape(schema, type.ofType, field);
    return of && { kind: 'list', of };
  }
  const named = getNamedType(type);
  if (isObjectType(named)) {
    if (!field.selectionSet) return null;
    const fields = shapeOf(schema, named, field.selectionSet);
    return fields && { kind: 'object', fields };
  }
  if (field.selectionSet) return null;
  if (isScalarType(named) || isEnumType(named))
    return { kind: 'leaf', accepts: leafCheck(getNullableType(named)) };
  return null;
}

/** Whether `value` is exactly what the gateway's result shaping would give for `shape`. */
function fits(shape: Shape, value: unknown): boolean {
  switch (shape.kind) {
    case 'nonNull':
      return value !== null && value !== undefined && fits(shape.of, value);
    case 'list':
      if (value === null) return true;
      if (!Array.isArray(value)) return false;
      for (const item of value as unknown[]) {
        // A null in a list of non-null items bubbles up in shaping.
        if (!fits(shape.of, item)) return false;
      }
      return true;
    case 'object':
      if (value === null) return true;
      return (
        typeof value === 'object' &&
        !Array.isArray(value) &&
        fitsObject(shape.fields, value as Record<string, unknown>)
      );
    case 'leaf':
      return value === null || shape.accepts(value);
  }
}

function fitsObject(
  fields: readonly FieldShape[],
  value: Record<string, unknown>,
): boolean {
  // The same keys in the same order: shaping writes the selection's order
  // and drops what was not selected (the response cache's `_ck_` tags).
  let i = 0;
  for (const key in value) {
    const field = fields[i++];
    if (field?.responseName !== key) return false;
    const item = value[key];
    if (item === undefined || !fits(field.shape, item)) return false;
  }
  return i === fields.length;
}

/** The fast plan of an operation, or null when the gateway's own path must run it. */
function fastPlanOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  queryPlan: QueryPlan,
  serviceMap: DidResolve['serviceMap'],
): FastPlan | null {
  const node = queryPlan.node;
  if (node?.kind !== 'Fetch') return null;
  if (operation.operation !== 'query' || node.operationKind !== 'query')
    return null;
  if (node.requires || node.hasDefers) return null;
  if (node.inputRewrites?.length || node.outputRewrites?.length) return null;
  if (node.contextRewrites?.length) return null;
  const source = serviceMap[node.serviceName];
  if (!source) return null;
  // Parsed once per operation (the planner keeps the fetch's document only
  // with `exposeDocumentNodeInFetchNode`).
  let document: DocumentNode;
  try {
    document = node.operationDocumentNode ?? parse(node.operation);
  } catch {
    return null;
  }
  const fetched = document.definitions.filter(
    (d) => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (document.definitions.length !== 1 || fetched.length !== 1) return null;
  const fetchedOperation = fetched[0] as OperationDefinitionNode;
  // The subgraph is asked for the client's selection, field for field
  // (arguments and aliases included): its data is then the answer.
  if (print(fetchedOperation.selectionSet) !== print(operation.selectionSet))
    return null;
  const root = schema.getQueryType();
  if (!root) return null;
  const shape = shapeOf(schema, root, operation.selectionSet);
  if (!shape) return null;
  return {
    serviceName: node.serviceName,
    source,
    operation: node.operation,
    operationName: node.operationName,
    document: node.operationDocumentNode,
    variableUsages: node.variableUsages ?? [],
    variableDefinitions: operation.variableDefinitions ?? [],
    shape,
    operationType: operation.operation,
  };
}

/** Options of {@link singleFetchExecutor}. */
export interface SingleFetchExecutorOptions {
  /**
   * Serve single-fetch operations on the fast path.
   * @default true
   */
  enabled?: boolean;
}

/** The fast path of one gateway: wrap `load` and pass `didResolveQueryPlan` to the gateway's config. */
export interface SingleFetchExecutor {
  /** For ApolloGateway's `experimental_didResolveQueryPlan`. */
  readonly didResolveQueryPlan: Experimental_DidResolveQueryPlanCallback;
  /** Wraps the executor `load` returns. */
  wrap(executor: Executor): Executor;
}

const PLANS_PER_SCHEMA = 2000;

/** Creates the fast path (see the module comment). */
export function singleFetchExecutor(
  options: SingleFetchExecutorOptions = {},
): SingleFetchExecutor {
  const enabled = options.enabled ?? true;
  // Per API schema (a reloaded supergraph is a new schema and new data
  // sources), per query hash and requested operation name, as the
  // gateway's own plan store is keyed; null: the gateway's own path.
  const plans = new WeakMap<GraphQLSchema, Map<string, FastPlan | null>>();
  const keyOf = (requestContext: RequestContext) =>
    `${requestContext.queryHash}\n${requestContext.request.operationName ?? ''}`;

  const didResolveQueryPlan: Experimental_DidResolveQueryPlanCallback = ({
    queryPlan,
    serviceMap,
    requestContext,
  }) => {
    if (!enabled) return;
    let perSchema = plans.get(requestContext.schema);
    if (!perSchema) {
      perSchema = new Map();
      plans.set(requestContext.schema, perSchema);
    }
    const key = keyOf(requestContext);
    if (perSchema.has(key)) return;
    if (perSchema.size >= PLANS_PER_SCHEMA) perSchema.clear();
    perSchema.set(
      key,
      fastPlanOf(
        requestContext.schema,
        requestContext.operation,
        queryPlan,
        serviceMap,
      ),
    );
  };

  const wrap = (gatewayExecutor: Executor): Executor => {
    if (!enabled) return gatewayExecutor;
    return async (requestContext) => {
      const plan = plans.get(requestContext.schema)?.get(keyOf(requestContext));
      if (!plan || requestContext.metrics.captureTraces)
        return gatewayExecutor(requestContext);
      // The gateway may answer with its plan (outside production).
      if (
        requestContext.request.http?.headers.has(
          'apollo-query-plan-experimental',
        )
      )
        return gatewayExecutor(requestContext);
      const provided = requestContext.request.variables;
      if (
        plan.variableDefinitions.length > 0 &&
        getVariableValues(
          requestContext.schema,
          plan.variableDefinitions,
          provided ?? {},
        ).errors
      )
        return gatewayExecutor(requestContext);
      const result = await fastFetch(requestContext, plan);
      return result ?? gatewayExecutor(requestContext);
    };
  };

  return { didResolveQueryPlan, wrap };
}

/**
 * Sends the plan's one fetch as the gateway's executor would; the answer
 * when its data needs no shaping, else undefined with the fetch left for the
 * gateway's executor to replay.
 */
async function fastFetch(
  requestContext: RequestContext,
  plan: FastPlan,
): Promise<ExecutionResult | undefined> {
  const attributes: Record<string, string> = {
    'graphql.operation.type': plan.operationType,
  };
  if (requestContext.operationName) {
    attributes['operationName'] = requestContext.operationName;
    attributes['graphql.operation.name'] = requestContext.operationName;
  }
  return tracer.startActiveSpan(
    'gateway.request',
    { attributes },
    async (requestSpan: Span) => {
      try {
        // Only the variables the fetch uses and the client gave
        // (executeQueryPlan's executeFetch).
        const variables: Record<string, unknown> = Object.create(null);
        const provided = requestContext.request.variables;
        if (provided) {
          for (const name of plan.variableUsages) {
            if (Object.hasOwn(provided, name) && provided[name] !== undefined)
              variables[name] = provided[name];
          }
        }
        const context = requestContext.context;
        let response: DataSourceResponse;
        try {
          response = await tracer.startActiveSpan(
            'gateway.fetch',
            { attributes: { service: plan.serviceName } },
            async (span: Span) => {
              try {
                return await plan.source.process({
                  kind: INCOMING_OPERATION,
                  request: {
                    query: plan.operation,
                    variables,
                    ...(plan.operationName === undefined
                      ? {}
                      : { operationName: plan.operationName }),
                  },
                  incomingRequestContext: requestContext,
                  context,
                  ...(plan.document ? { document: plan.document } : {}),
                  pathInIncomingRequest: [],
                });
              } finally {
                span.end();
              }
            },
          );
        } catch (error) {
          replays.set(context, { serviceName: plan.serviceName, error });
          served.inc({ subgraph: plan.serviceName, shaped_by: 'gateway' });
          return undefined;
        }
        const { data } = response;
        if (
          response.errors === undefined &&
          typeof data === 'object' &&
          data !== null &&
          fitsObject(plan.shape, data)
        ) {
          served.inc({ subgraph: plan.serviceName, shaped_by: 'fast' });
          return { data };
        }
        replays.set(context, { serviceName: plan.serviceName, response });
        served.inc({ subgraph: plan.serviceName, shaped_by: 'gateway' });
        return undefined;
      } finally {
        requestSpan.end();
      }
    },
  );
}
