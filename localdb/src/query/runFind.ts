// Internal to localdb: evaluates a find (filter, sort, skip, limit, projection) through the planner and mingo.
import type { Document } from 'bson';
import { collationKey, type Collation } from './collation.js';
import { createQuery } from './mingo.js';
import { project } from './project.js';
import { compileSort } from './sortDocuments.js';
import { extractText } from './text.js';
import { YieldPoint } from './yieldPoint.js';
import { toCommandError } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import type { Collection } from '../storage/Collection.js';
import {
  extractNear,
  nearNotAllowedError,
  orderByDistance,
  planNear,
  type NearHit,
  type NearPlan,
  type NearQuery,
} from './near.js';
import {
  canLimitPerValue,
  executePlan,
  planFind,
  takePlan,
  type FindPlan,
} from './planFind.js';

/** Options for runFind. */
export interface FindOptions {
  sort?: Document | undefined;
  projection?: Document | undefined;
  skip?: number | undefined;
  /** 0 or undefined = no limit. */
  limit?: number | undefined;
  /** An index name or key pattern to use, as MongoDB's `hint`. */
  hint?: unknown;
  /**
   * Only the first `n` matching documents per value of `field` are needed (a `$group`
   * on `field` taking `$first`/`$firstN` follows). Applied when the plan allows it.
   */
  firstPerValue?: { field: string; n: number } | undefined;
  /** A `$near` in the filter is refused (an aggregation's `$match`): MongoDB's code 5626500. */
  nearNotAllowed?: boolean | undefined;
  /** A near query given apart from the filter (the `$geoNear` stage). */
  near?: NearQuery | undefined;
  /** The query's collation (undefined: simple, binary comparison). */
  collation?: Collation | undefined;
  /** Variables of the command's `let` option, for `$expr` (`$$name`). */
  variables?: Document | undefined;
  /** Shapes each near result (the `$geoNear` stage adds its distance field). */
  nearOutput?: ((hit: NearHit) => Document) | undefined;
}

/** A find in progress: the plan and a pull-based evaluation that can pause between documents. */
export interface FindRun {
  plan: FindPlan;
  /**
   * Advances the scan by at most `budget` documents; returns the result once done,
   * undefined while more remain. Lets a caller yield the event loop between steps.
   */
  step(budget: number): Document[] | undefined;
}

/** mingo's options for a query without collation or variables (mingo copies what it is given). */
const NO_OPTIONS: { collation?: Collation; variables?: Document } =
  Object.freeze({});

/** The source of a find whose documents were all taken up front. */
const EMPTY: Iterator<Document> = {
  next: () => ({ done: true, value: undefined }),
};

/** True if some top-level value of `filter` is an operator document, or a key is an operator. */
function holdsOperators(filter: Document): boolean {
  for (const field in filter) {
    if (field.startsWith('$') || isPlainObject(filter[field])) return true;
  }
  return false;
}

/** Starts a find; call `step` until it returns the result. */
export function startFind(
  coll: Collection | undefined,
  filter: Document,
  options: FindOptions = {},
): FindRun {
  if (coll === undefined)
    return { plan: planless(), step: () => [] as Document[] };
  let nearPlan: NearPlan | undefined;
  let near = options.near;
  // A filter of plain values (a point read) holds no `$near`: no copy of it is made.
  if (holdsOperators(filter)) {
    const extracted = extractNear(filter);
    if (extracted.near !== undefined) {
      if (options.nearNotAllowed === true || options.near !== undefined)
        throw nearNotAllowedError();
      filter = extracted.filter;
      near = extracted.near;
    }
  }
  if (near !== undefined) nearPlan = planNear(coll, near);
  let textTest: ReturnType<typeof extractText>['test'];
  if (filter['$text'] !== undefined) {
    const text = extractText(coll, filter);
    filter = text.filter;
    textTest = text.test;
  }
  const sort =
    options.sort !== undefined && Object.keys(options.sort).length > 0
      ? options.sort
      : undefined;
  const projection =
    options.projection !== undefined &&
    Object.keys(options.projection).length > 0
      ? options.projection
      : undefined;
  // Near results come in distance order, so the scan's own order does not matter.
  const mingoOptions =
    options.collation === undefined && options.variables === undefined
      ? NO_OPTIONS
      : {
          ...(options.collation === undefined
            ? {}
            : { collation: options.collation }),
          ...(options.variables === undefined
            ? {}
            : { variables: options.variables }),
        };
  const plan = planFind(
    coll,
    filter,
    nearPlan === undefined ? sort : undefined,
    options.hint,
    collationKey(options.collation),
  );
  const skip = Math.max(0, options.skip ?? 0);
  const limit =
    options.limit === undefined || options.limit === 0
      ? undefined
      : Math.abs(options.limit);
  // The scan can stop early when its order is the final order.
  const stopAt =
    limit !== undefined &&
    nearPlan === undefined &&
    (sort === undefined || plan.sortProvided)
      ? skip + limit
      : Infinity;
  let query: ReturnType<typeof createQuery> | undefined;
  try {
    query =
      plan.exact && textTest === undefined
        ? undefined
        : createQuery(filter, mingoOptions);
  } catch (err) {
    throw toCommandError(err);
  }
  const perValue = options.firstPerValue;
  // A short exact read (the latest reading, a page of one sensor) takes its documents
  // from the index in one go; the rest goes through executePlan's generators.
  const taken =
    query === undefined &&
    textTest === undefined &&
    nearPlan === undefined &&
    perValue === undefined &&
    stopAt <= STEP
      ? takePlan(coll, plan, stopAt)
      : undefined;
  let source: Iterator<Document>;
  if (taken !== undefined) {
    source = EMPTY;
  } else if (
    perValue !== undefined &&
    nearPlan === undefined &&
    canLimitPerValue(plan, perValue.field)
  ) {
    // The scan tests the filter itself, to count matches per value.
    const test = query;
    source = executePlan(coll, plan, {
      limit: perValue.n,
      accept: (doc) => test === undefined || test.test(doc),
    });
    query = undefined;
  } else {
    source = executePlan(coll, plan);
  }
  const matched: Document[] = taken ?? [];
  const finish = (): Document[] => {
    let docs = matched;
    try {
      if (nearPlan !== undefined) {
        const hits = orderByDistance(docs, nearPlan);
        const shape = options.nearOutput;
        docs = hits.map((h) => (shape === undefined ? h.doc : shape(h)));
      }
      if (
        sort !== undefined &&
        (nearPlan !== undefined || !plan.sortProvided)
      ) {
        const sorter = compileSort(sort, options.collation);
        if (sorter !== undefined) {
          docs = sorter(docs);
          if (skip > 0 || limit !== undefined)
            docs = docs.slice(
              skip,
              limit === undefined ? undefined : skip + limit,
            );
        } else {
          // A `$meta` sort: mingo's.
          let cursor = createQuery({}, mingoOptions)
            .find(docs)
            .sort(sort as Record<string, 1 | -1>);
          if (skip > 0) cursor = cursor.skip(skip);
          if (limit !== undefined) cursor = cursor.limit(limit);
          docs = cursor.all() as Document[];
        }
      } else if (skip > 0 || limit !== undefined) {
        docs = docs.slice(skip, limit === undefined ? undefined : skip + limit);
      }
      if (projection !== undefined) docs = project(docs, projection);
    } catch (err) {
      throw toCommandError(err);
    }
    return docs;
  };
  return {
    plan,
    step(budget) {
      try {
        for (let n = 0; n < budget; n += 1) {
          if (matched.length >= stopAt) return finish();
          const next = source.next();
          if (next.done === true) return finish();
          const doc = next.value;
          if (
            (query === undefined || query.test(doc)) &&
            (textTest === undefined || textTest(doc))
          )
            matched.push(doc);
        }
      } catch (err) {
        throw toCommandError(err);
      }
      return undefined;
    },
  };
}

function planless(): FindPlan {
  return { prefixes: [], direction: 1, sortProvided: true, exact: true };
}

/** Documents a find reads between two looks at the clock. */
const STEP = 128;

/**
 * The same result as runFindAsync, but a find done within its first step (a point read,
 * a short page) returns its documents directly rather than through a promise: the
 * command is then answered in the same turn, without the promise chain's garbage.
 */
export function runFindSteps(
  coll: Collection | undefined,
  filter: Document,
  options: FindOptions = {},
): Document[] | Promise<Document[]> {
  const run = startFind(coll, filter, options);
  const first = run.step(STEP);
  if (first !== undefined) return first;
  return (async () => {
    const yieldPoint = new YieldPoint();
    for (;;) {
      await yieldPoint.maybePause();
      const result = run.step(STEP);
      if (result !== undefined) return result;
    }
  })();
}

/**
 * The same result as runFind, computed in steps: once the command's time slice is used
 * up it pauses, so other connections' commands run in between (a long scan never holds
 * a point read for its whole length).
 */
export async function runFindAsync(
  coll: Collection | undefined,
  filter: Document,
  options: FindOptions = {},
  yieldPoint: YieldPoint = new YieldPoint(),
): Promise<Document[]> {
  const run = startFind(coll, filter, options);
  for (;;) {
    const result = run.step(STEP);
    if (result !== undefined) return result;
    await yieldPoint.maybePause();
  }
}

/** The matching documents in order, computed in one go. Uses `_id` or an index when the filter allows. */
export function runFind(
  coll: Collection | undefined,
  filter: Document,
  options: FindOptions = {},
): Document[] {
  const run = startFind(coll, filter, options);
  for (;;) {
    const result = run.step(Infinity);
    if (result !== undefined) return result;
  }
}
