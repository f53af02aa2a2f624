// Internal to localdb: chooses how a find reads a collection (an `_id` lookup, an index scan or a collection scan).
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import type { Collection } from '../storage/Collection.js';
import {
  TypeEdge,
  compareValues,
  typeClass,
} from '../storage/compareValues.js';
import type { Index, RangeBound } from '../storage/Index.js';
import { keyOf } from '../storage/keyOf.js';

/** Type classes a range bound may use (numbers, strings, ObjectId, booleans, dates). */
const BOUNDABLE = new Set([3, 4, 8, 9, 10]);

/** Lookups beyond this many keys (a huge `$in`) are cheaper as a scan. */
const MAX_COMBOS = 10_000;

interface FieldCondition {
  /** The field must equal one of these. */
  eq?: unknown[];
  lo?: RangeBound;
  hi?: RangeBound;
  /** Every operator of the condition is expressed by eq/lo/hi (no other test needed). */
  captured: boolean;
}

/** How a find reads its documents. */
export interface FindPlan {
  /** The index scanned; undefined with `ids` (an `_id` lookup) or for a collection scan. */
  index?: Index | undefined;
  /** `_id` values looked up directly. */
  ids?: unknown[] | undefined;
  /** Equality combinations on the index prefix, in scan order. */
  prefixes: unknown[][];
  lo?: RangeBound | undefined;
  hi?: RangeBound | undefined;
  /** 1 scans the index in key-pattern order, -1 in reverse. */
  direction: 1 | -1;
  /** The scan yields documents already in the requested sort order. */
  sortProvided: boolean;
  /** The scan yields exactly the matching documents: no filter test needed. */
  exact: boolean;
}

function isDecimal(v: unknown): boolean {
  return (v as { _bsontype?: unknown } | null)?._bsontype === 'Decimal128';
}

function usableValue(v: unknown): boolean {
  return (v === null || BOUNDABLE.has(typeClass(v))) && !isDecimal(v);
}

function parseCondition(cond: unknown): FieldCondition | undefined {
  if (!isPlainObject(cond) || Object.keys(cond).length === 0) {
    if (cond === undefined || !usableValue(cond)) return undefined;
    return { eq: [cond], captured: cond !== null };
  }
  const keys = Object.keys(cond);
  if (!keys.every((k) => k.startsWith('$'))) return undefined;
  const out: FieldCondition = { captured: true };
  for (const [op, v] of Object.entries(cond)) {
    switch (op) {
      case '$eq':
        if (!usableValue(v)) return undefined;
        out.eq = [v];
        if (v === null) out.captured = false;
        break;
      case '$in': {
        if (!Array.isArray(v) || !v.every(usableValue)) return undefined;
        out.eq = v;
        if (v.includes(null)) out.captured = false;
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        if (v === null || !usableValue(v)) {
          out.captured = false;
          break;
        }
        const bound = { value: v, inclusive: op.endsWith('e') };
        const side = op.startsWith('$g') ? 'lo' : 'hi';
        const prev = out[side];
        // Two bounds on one side: keep the tighter one.
        if (prev !== undefined && typeClass(prev.value) === typeClass(v)) {
          const c = compareValues(v, prev.value);
          const tighter = side === 'lo' ? c > 0 : c < 0;
          if (c === 0 ? !bound.inclusive : tighter) out[side] = bound;
        } else if (prev !== undefined) {
          out.captured = false;
        } else {
          out[side] = bound;
        }
        break;
      }
      default:
        out.captured = false;
    }
  }
  if (out.lo !== undefined && out.hi !== undefined) {
    if (typeClass(out.lo.value) !== typeClass(out.hi.value)) {
      delete out.hi;
      out.captured = false;
    }
  }
  // Type bracketing: `{ $gt: 5 }` covers numbers only, as in MongoDB.
  if (out.lo !== undefined && out.hi === undefined)
    out.hi = {
      value: new TypeEdge(typeClass(out.lo.value), 1),
      inclusive: true,
    };
  if (out.hi !== undefined && out.lo === undefined)
    out.lo = {
      value: new TypeEdge(typeClass(out.hi.value), -1),
      inclusive: true,
    };
  if (out.eq === undefined && out.lo === undefined) return undefined;
  return out;
}

/** Conditions per field, from the top level and any `$and`; `plain` is false if anything else is there. */
function collectConditions(
  filter: Document,
  out: Map<string, FieldCondition>,
): boolean {
  let plain = true;
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const sub of cond)
        if (isPlainObject(sub)) collectConditions(sub, out);
      plain = false;
      continue;
    }
    if (field.startsWith('$')) {
      if (field !== '$comment') plain = false;
      continue;
    }
    // Numeric path parts address array positions, which the index does not key on.
    if (field.split('.').some((p) => /^\d+$/.test(p))) {
      plain = false;
      continue;
    }
    const c = parseCondition(cond);
    if (c === undefined || out.has(field)) {
      plain = false;
      continue;
    }
    out.set(field, c);
  }
  return plain;
}

function compareTuples(
  a: readonly unknown[],
  b: readonly unknown[],
  dirs: ReadonlyArray<1 | -1>,
): number {
  for (let i = 0; i < a.length; i += 1) {
    const c = compareValues(a[i], b[i]) * (dirs[i] ?? 1);
    if (c !== 0) return c;
  }
  return 0;
}

function distinctSorted(values: readonly unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const v of values) seen.set(keyOf(v), v);
  return [...seen.values()].sort(compareValues);
}

interface Candidate {
  plan: FindPlan;
  score: number;
}

function planIndex(
  index: Index,
  conds: Map<string, FieldCondition>,
  sort: ReadonlyArray<[string, 1 | -1]>,
  filterFields: number,
  plain: boolean,
): Candidate | undefined {
  const { fields, directions } = index;
  const prefixValues: unknown[][] = [];
  let k = 0;
  for (; k < fields.length; k += 1) {
    const eq = conds.get(fields[k] as string)?.eq;
    if (eq === undefined) break;
    prefixValues.push(distinctSorted(eq));
  }
  let prefixes: unknown[][] = [[]];
  for (const vals of prefixValues) {
    prefixes = prefixes.flatMap((p) => vals.map((v) => [...p, v]));
    if (prefixes.length > MAX_COMBOS) return undefined;
  }
  if (prefixes.some((p) => p.some((v) => v === null)) && index.sparse)
    return undefined;
  const rangeField = fields[k];
  const range = rangeField === undefined ? undefined : conds.get(rangeField);
  const lo = range?.lo;
  let hi = range?.hi;
  if (index.multikey && lo !== undefined && hi !== undefined) {
    // Different array elements may satisfy each side: one side only, the filter decides.
    hi = undefined;
  }
  // Which sort the scan yields: pinned fields may be skipped, the rest must follow in order.
  let p = 0;
  let factor: 1 | -1 | undefined;
  let sortOk = !index.multikey || sort.length === 0;
  for (let i = 0; i < fields.length && p < sort.length && sortOk; i += 1) {
    const [sf, sd] = sort[p] as [string, 1 | -1];
    if (sf === fields[i]) {
      const f = (sd * (directions[i] as number)) as 1 | -1;
      if (factor !== undefined && f !== factor) sortOk = false;
      factor = f;
      p += 1;
    } else if (i < k && prefixValues[i]?.length === 1) {
      continue;
    } else {
      sortOk = false;
    }
  }
  const sortProvided = sortOk && p === sort.length;
  const direction = factor ?? 1;
  if (direction === -1) prefixes.reverse();
  else if (prefixes.length > 1)
    prefixes.sort((a, b) => compareTuples(a, b, directions));
  const used = fields.slice(
    0,
    k + (lo !== undefined || hi !== undefined ? 1 : 0),
  );
  const exact =
    plain &&
    !index.multikey &&
    !index.partial &&
    !index.sparse &&
    used.length === filterFields &&
    used.every((f) => conds.get(f)?.captured === true);
  const score =
    10 * k +
    (lo !== undefined || hi !== undefined ? 5 : 0) +
    (sortProvided && sort.length > 0 ? 3 : 0) +
    (index.unique && k === fields.length ? 20 : 0);
  return {
    plan: { index, prefixes, lo, hi, direction, sortProvided, exact },
    score,
  };
}

function findHinted(coll: Collection, hint: unknown): Index | 'natural' {
  if (typeof hint === 'string') {
    const index = coll.indexByName(hint);
    if (index !== undefined) return index;
  } else if (isPlainObject(hint)) {
    if ('$natural' in hint) return 'natural';
    const wanted = keyOf(hint);
    for (const name of ['_id_', ...coll.indexNames()]) {
      const index = coll.indexByName(name);
      if (index !== undefined && keyOf(index.key) === wanted) return index;
    }
  }
  throw new CommandError(
    ErrorCode.BadValue,
    'hint provided does not correspond to an existing index',
  );
}

/** The sort as (field, direction) pairs; `$meta` sorts are left to mingo. */
export function sortPairs(
  sort: Document | undefined,
): Array<[string, 1 | -1]> | undefined {
  if (sort === undefined) return [];
  const out: Array<[string, 1 | -1]> = [];
  for (const [f, d] of Object.entries(sort)) {
    if (typeof d !== 'number') return undefined;
    out.push([f, d < 0 ? -1 : 1]);
  }
  return out;
}

const COLLSCAN: FindPlan = {
  prefixes: [],
  direction: 1,
  sortProvided: false,
  exact: false,
};

/**
 * How a plan of an equality-only filter reads, without the filter's values: every filter
 * of the same shape (field names, sort) on the same indexes gets the same template.
 */
interface PlanTemplate {
  /** The `_id` lookup, or the index scanned with its first `prefixLength` fields pinned. */
  kind: 'ids' | 'index' | 'collscan';
  index: Index | undefined;
  prefixLength: number;
  direction: 1 | -1;
  sortProvided: boolean;
  exact: boolean;
  /** Each plan index's multikey and hidden flags when the template was made. */
  flags: boolean[];
}

/** Templates per shape, for one collection's set of plan indexes. */
interface PlanCache {
  indexes: readonly Index[];
  templates: Map<string, PlanTemplate>;
}

/** Shapes kept per collection; the cache starts over once it holds this many. */
const MAX_TEMPLATES = 256;

const planCaches = new WeakMap<Collection, PlanCache>();

function indexFlags(indexes: readonly Index[]): boolean[] {
  const flags: boolean[] = [];
  for (const index of indexes) flags.push(index.multikey, index.hidden);
  return flags;
}

function flagsUnchanged(indexes: readonly Index[], flags: boolean[]): boolean {
  for (let i = 0; i < indexes.length; i += 1) {
    const index = indexes[i] as Index;
    if (index.multikey !== flags[2 * i] || index.hidden !== flags[2 * i + 1])
      return false;
  }
  return true;
}

const NUMERIC_PART = /(^|\.)\d+(\.|$)/;

/**
 * The shape of a filter whose every field is a plain equality with a value an index can
 * bound (no operator, no null, no array or document) and of a numeric sort, as one
 * string; undefined for anything else. Such filters are planned the same way whatever
 * their values (planIndex depends on the values only through usableValue and null).
 */
function equalityShape(
  filter: Document,
  sort: Document | undefined,
): string | undefined {
  let shape = '';
  for (const field in filter) {
    if (!Object.hasOwn(filter, field)) continue;
    if (field.startsWith('$') || NUMERIC_PART.test(field)) return undefined;
    const value: unknown = filter[field];
    if (value === null || !usableValue(value)) return undefined;
    shape += field;
    shape += '\u0000';
  }
  shape += '\u0001';
  if (sort !== undefined)
    for (const field in sort) {
      if (!Object.hasOwn(sort, field)) continue;
      const d: unknown = sort[field];
      if (typeof d !== 'number') return undefined;
      shape += field;
      shape += d < 0 ? '\u0002' : '\u0003';
    }
  return shape;
}

function templateOf(plan: FindPlan, indexes: readonly Index[]): PlanTemplate {
  return {
    kind:
      plan.ids !== undefined
        ? 'ids'
        : plan.index !== undefined
          ? 'index'
          : 'collscan',
    index: plan.index,
    prefixLength: plan.prefixes[0]?.length ?? 0,
    direction: plan.direction,
    sortProvided: plan.sortProvided,
    exact: plan.exact,
    flags: indexFlags(indexes),
  };
}

function fromTemplate(t: PlanTemplate, filter: Document): FindPlan {
  if (t.kind === 'ids')
    return {
      ids: [filter['_id']],
      prefixes: [],
      direction: t.direction,
      sortProvided: t.sortProvided,
      exact: t.exact,
    };
  if (t.kind === 'collscan') return COLLSCAN;
  const index = t.index as Index;
  const prefix: unknown[] = [];
  for (let i = 0; i < t.prefixLength; i += 1)
    prefix.push(filter[index.fields[i] as string]);
  return {
    index,
    prefixes: [prefix],
    lo: undefined,
    hi: undefined,
    direction: t.direction,
    sortProvided: t.sortProvided,
    exact: t.exact,
  };
}

/**
 * Plans a find: an `_id` equality becomes a direct lookup; otherwise each ordered index is
 * scored on the equality prefix it serves, the range after it, and whether it yields the
 * requested sort, and the best one wins (a `hint` overrides). Sparse and partial indexes
 * are only used when hinted, since they may miss matching documents.
 *
 * A filter of plain equalities (a point read: `{ sensorId }` with a sort, `{ code }`,
 * `{ _id }`) is planned once per shape and collection: later ones of that shape reuse
 * the plan with their own values, as MongoDB's plan cache does, until the collection's
 * indexes (or their multikey or hidden flags) change. That saves the planner's work and
 * garbage on every point read (docs/localdb.md, "The read tail").
 */
export function planFind(
  coll: Collection,
  filter: Document,
  sort: Document | undefined,
  hint?: unknown,
  collation = '',
): FindPlan {
  const shape =
    hint === undefined && collation === ''
      ? equalityShape(filter, sort)
      : undefined;
  if (shape === undefined)
    return planFindUncached(coll, filter, sort, hint, collation);
  const indexes = coll.planIndexes();
  let cache = planCaches.get(coll);
  if (cache === undefined || cache.indexes !== indexes) {
    cache = { indexes, templates: new Map() };
    planCaches.set(coll, cache);
  }
  const template = cache.templates.get(shape);
  if (template !== undefined && flagsUnchanged(indexes, template.flags))
    return fromTemplate(template, filter);
  const plan = planFindUncached(coll, filter, sort, hint, collation);
  if (cache.templates.size >= MAX_TEMPLATES) cache.templates.clear();
  cache.templates.set(shape, templateOf(plan, indexes));
  return plan;
}

/** planFind without the plan cache: what every plan is derived from (exported for tests). */
export function planFindUncached(
  coll: Collection,
  filter: Document,
  sort: Document | undefined,
  hint?: unknown,
  collation = '',
): FindPlan {
  const conds = new Map<string, FieldCondition>();
  // A collated query is tested by mingo too: index bounds only narrow the scan.
  const plain = collectConditions(filter, conds) && collation === '';
  const pairs = sortPairs(sort);
  if (hint !== undefined) {
    const hinted = findHinted(coll, hint);
    if (hinted === 'natural' || hinted.collationKey !== collation)
      return COLLSCAN;
    return (
      planIndex(hinted, conds, pairs ?? [], conds.size, plain)?.plan ?? COLLSCAN
    );
  }
  const ids = conds.get('_id')?.eq;
  if (
    ids !== undefined &&
    ids.length <= MAX_COMBOS &&
    (collation === '' || ids.every((v) => typeof v !== 'string'))
  ) {
    return {
      ids,
      prefixes: [],
      direction: 1,
      sortProvided: (pairs?.length ?? 1) === 0 || ids.length === 1,
      exact:
        plain &&
        conds.size === 1 &&
        conds.get('_id')?.captured === true &&
        conds.get('_id')?.lo === undefined,
    };
  }
  let best: Candidate | undefined;
  for (const index of coll.planIndexes()) {
    // An index orders strings by its own collation: only a query with the same one may use it.
    if (index.sparse || index.partial || index.hidden) continue;
    if (index.collationKey !== collation) continue;
    const c = planIndex(index, conds, pairs ?? [], conds.size, plain);
    if (c === undefined || c.score === 0) continue;
    if (best === undefined || c.score > best.score) best = c;
  }
  return best?.plan ?? COLLSCAN;
}

/** The documents a plan reads, in scan order, each once. Not yet tested against the filter unless `exact`. */
export function* executePlan(
  coll: Collection,
  plan: FindPlan,
  perPrefix?: { limit: number; accept: (doc: Document) => boolean },
): Generator<Document> {
  if (plan.ids !== undefined) {
    const seen = new Set<string>();
    for (const id of plan.ids) {
      const k = keyOf(id);
      if (seen.has(k)) continue;
      seen.add(k);
      // A time series may hold several measurements with one `_id`.
      yield* coll.docsById(id);
    }
    return;
  }
  const index = plan.index;
  if (index === undefined) {
    yield* coll.values();
    return;
  }
  const seen =
    index.multikey || plan.prefixes.length > 1 ? new Set<string>() : undefined;
  for (const prefix of plan.prefixes) {
    let taken = 0;
    for (const entry of index.scan(
      { prefix, lo: plan.lo, hi: plan.hi },
      plan.direction,
    )) {
      if (seen !== undefined) {
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
      }
      const doc = coll.getByIdKey(entry.id);
      if (doc === undefined) continue;
      if (perPrefix === undefined) {
        yield doc;
        continue;
      }
      if (!perPrefix.accept(doc)) continue;
      yield doc;
      taken += 1;
      if (taken >= perPrefix.limit) break;
    }
  }
}

/**
 * The first `max` documents executePlan(coll, plan) gives, read in one go (no generator
 * chain) when the plan scans one equality prefix of an index that is not multikey;
 * undefined when it does not, or when an entry's document is missing (executePlan
 * reads past it).
 */
export function takePlan(
  coll: Collection,
  plan: FindPlan,
  max: number,
): Document[] | undefined {
  const index = plan.index;
  const prefix = plan.prefixes[0];
  if (
    plan.ids !== undefined ||
    index === undefined ||
    index.multikey ||
    prefix === undefined ||
    plan.prefixes.length !== 1
  )
    return undefined;
  const entries = index.take(
    { prefix, lo: plan.lo, hi: plan.hi },
    plan.direction,
    max,
  );
  const docs: Document[] = [];
  for (const entry of entries) {
    const doc = coll.getByIdKey(entry.id);
    if (doc === undefined) return undefined;
    docs.push(doc);
  }
  return docs;
}

/**
 * True when the plan reads one equality value of `field` at a time, in sort order, so
 * "the first n documents of each `field` value" can stop each value's scan after n
 * matches (MongoDB's DISTINCT_SCAN for `$sort` + `$group` with `$first`).
 */
export function canLimitPerValue(plan: FindPlan, field: string): boolean {
  return (
    plan.index !== undefined &&
    plan.sortProvided &&
    plan.index.fields[0] === field &&
    !plan.index.multikey &&
    plan.prefixes.length > 0 &&
    plan.prefixes.every((p) => p.length === 1)
  );
}

/** The plan in the shape of MongoDB's `explain` queryPlanner.winningPlan. */
export function explainPlan(plan: FindPlan): Document {
  if (plan.ids !== undefined) return { stage: 'IDHACK' };
  const index = plan.index;
  if (index === undefined) return { stage: 'COLLSCAN', direction: 'forward' };
  return {
    stage: 'FETCH',
    inputStage: {
      stage: 'IXSCAN',
      keyPattern: index.key,
      indexName: index.name,
      isMultiKey: index.multikey,
      isUnique: index.unique,
      isSparse: index.sparse,
      isPartial: index.partial,
      direction: plan.direction === 1 ? 'forward' : 'backward',
      equalityPrefixes: plan.prefixes.length,
      ...(plan.sortProvided ? {} : { sortInMemory: true }),
    },
  };
}
