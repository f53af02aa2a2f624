// Internal to localdb: mingo with every operator loaded once.
import type { Document } from 'bson';
import { Aggregator as AggregatorBase } from 'mingo/aggregator';
import { Context, ProcessingMode } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query as QueryBase } from 'mingo/query';
import type { Options } from 'mingo/types';
import { update as updaterUpdate, type Modifier } from 'mingo/updater';
import * as geoOperators from './geoOperators.js';
import * as mongoOperators from './mongoOperators.js';

/**
 * One context with all of mingo's operators. mingo's default entry point merges a
 * fresh copy of its context on every `find` or `new Query`, which costs more than a
 * whole indexed lookup; building it once keeps a unique-key find well under 1 ms.
 */
const context = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: pipelineOperators,
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
    condition,
    {
      cloneMode: 'deep',
      queryOptions: withContext(),
    },
  );
}

export { ProcessingMode };
