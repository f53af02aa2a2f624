// Internal to localdb: mingo with every operator loaded once.
import type { Document } from 'bson';
import { Aggregator as AggregatorBase } from 'mingo/aggregator';
import { Context, OpType, ProcessingMode } from 'mingo/core';
import { Lazy } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query as QueryBase } from 'mingo/query';
import type { Options } from 'mingo/types';
import { update as updaterUpdate, type Modifier } from 'mingo/updater';
import type { Collation } from './collation.js';
import * as geoOperators from './geoOperators.js';
import * as mongoOperators from './mongoOperators.js';
import { compileSort } from './sortDocuments.js';
import { isPlainObject } from '../isPlainObject.js';

/** The `$sort` stage with MongoDB's array rules; a `$meta` sort stays mingo's. */
function $sort(
  ...[coll, spec, options]: Parameters<typeof pipelineOperators.$sort>
): ReturnType<typeof pipelineOperators.$sort> {
  const sorter = isPlainObject(spec)
    ? compileSort(spec, options.collation as Collation | undefined)
    : undefined;
  if (sorter === undefined) return pipelineOperators.$sort(coll, spec, options);
  return coll.transform((docs) => Lazy(sorter(docs as Document[])));
}

/**
 * One context with all of mingo's operators. mingo's default entry point merges a
 * fresh copy of its context on every `find` or `new Query`, which costs more than a
 * whole indexed lookup; building it once keeps a unique-key find well under 1 ms.
 */
const context = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  // `$sort` is localdb's (sortDocuments.ts): mingo's orders an array field by the array
  // as a whole, MongoDB by its smallest element ascending and largest descending.
  pipeline: { ...pipelineOperators, $sort },
  projection: projectionOperators,
  // Geo operators are localdb's own (mingo has none); see geoOperators.ts.
  // mongoOperators replace mingo's where MongoDB differs ($type, $all, bitwise, collation).
  query: {
    ...queryOperators,
    ...geoOperators,
    ...Object.fromEntries(
      Object.entries(mongoOperators).filter(([name]) => name.startsWith('$')),
    ),
  } as typeof queryOperators,
  window: windowOperators,
});

// mingo copies the whole operator table (about 400 entries) every time it starts a
// computation: `new Query`, `new Aggregator` and each update call `Context.from(ctx)`,
// and each update then merges the boolean, comparison, query and pipeline operators
// into the copy again. Under ingestion that copying (and the garbage it leaves) was
// half of localdb's CPU (docs/localdb.md, "Figures"). `context` above already holds
// every operator and nothing in localdb adds one, so computations started with it
// share it instead of copying it. Any other context is copied as mingo does.
const contextFrom = Context.from.bind(Context);
Context.from = (...contexts: Context[]): Context =>
  contexts.length === 1 && contexts[0] === context
    ? context
    : contextFrom(...contexts);
// The updater's merge adds what `context` holds already: skip the copy then.
const holdsAll = (type: OpType, operators: object): boolean =>
  Object.keys(operators).every(
    (name) => context.getOperator(type, name) !== null,
  );
const addExpressionOps = context.addExpressionOps.bind(context);
context.addExpressionOps = (ops) =>
  holdsAll(OpType.EXPRESSION, ops) ? context : addExpressionOps(ops);
const addQueryOps = context.addQueryOps.bind(context);
context.addQueryOps = (ops) =>
  holdsAll(OpType.QUERY, ops) ? context : addQueryOps(ops);
const addPipelineOps = context.addPipelineOps.bind(context);
context.addPipelineOps = (ops) =>
  holdsAll(OpType.PIPELINE, ops) ? context : addPipelineOps(ops);

function withContext(options: Partial<Options> = {}): Partial<Options> {
  return { ...options, context };
}

/** A mingo Query with every operator available. */
export function createQuery(
  filter: Document,
  options?: Partial<Options>,
): QueryBase {
  return new QueryBase(filter, withContext(options));
}

mongoOperators.registerQueryFactory((filter, options) => {
  const query = createQuery(filter, options as Partial<Options>);
  return (doc) => query.test(doc as Document);
});

/** A mingo Aggregator with every operator available. */
export function createAggregator(
  pipeline: Document[],
  options?: Partial<Options>,
): AggregatorBase {
  return new AggregatorBase(pipeline, withContext(options));
}

/** Whether an update names a positional `$` path (`'kids.$.age'`, not `$[]` or `$[id]`). */
function hasPositional(modifier: Document): boolean {
  for (const fields of Object.values(modifier))
    if (fields !== null && typeof fields === 'object')
      for (const path of Object.keys(fields as Document))
        if (path.split('.').includes('$')) return true;
  return false;
}

/** mingo's in-place update of one document; returns the modified paths. */
export function updateInPlace(
  doc: Document,
  modifier: Document,
  arrayFilters: Document[],
  condition: Document,
): string[] {
  return updaterUpdate(
    doc,
    modifier as Modifier<Document>,
    arrayFilters,
    // The caller matched `doc` already; mingo needs the filter only to resolve a
    // positional `$` (and would compile and test it again on every call otherwise).
    hasPositional(modifier) ? condition : {},
    {
      cloneMode: 'deep',
      queryOptions: withContext(),
    },
  );
}

export { ProcessingMode };
