// Internal to localdb: picks the documents a filter can match using `_id` or an index.
import type { Document } from 'bson';
import { isPlainObject } from '../isPlainObject.js';
import type { Collection } from '../storage/Collection.js';

/**
 * Values a field is required to equal, or undefined if the condition is not a plain equality.
 * Decimal128 is left to a scan: MongoDB equates 1.10 with 1.1 and with the number 1.1,
 * which a string key cannot.
 */
function equalityValues(cond: unknown): unknown[] | undefined {
  if (
    cond === null ||
    cond === undefined ||
    Array.isArray(cond) ||
    cond instanceof RegExp
  ) {
    return undefined;
  }
  if ((cond as { _bsontype?: unknown })._bsontype === 'Decimal128')
    return undefined;
  if (!isPlainObject(cond)) return [cond];
  const keys = Object.keys(cond);
  if (keys.length === 0) return undefined;
  if (keys.every((k) => !k.startsWith('$'))) return [cond];
  if ('$eq' in cond) return equalityValues(cond['$eq']);
  if ('$in' in cond) {
    const list = cond['$in'];
    if (!Array.isArray(list)) return undefined;
    const out: unknown[] = [];
    for (const v of list) {
      const vals = equalityValues(v);
      if (vals === undefined || isPlainObject(v)) return undefined;
      out.push(...vals);
    }
    return out;
  }
  return undefined;
}

function collectEqualities(
  filter: Document,
  out: Map<string, unknown[]>,
): void {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const sub of cond)
        if (isPlainObject(sub)) collectEqualities(sub, out);
      continue;
    }
    if (field.startsWith('$')) continue;
    // Numeric path parts can address array positions, which the index does not key on.
    if (field.split('.').some((p) => /^\d+$/.test(p))) continue;
    const vals = equalityValues(cond);
    if (vals !== undefined && !out.has(field)) out.set(field, vals);
  }
}

/** Lookups beyond this many keys (a huge `$in`) are cheaper as a scan. */
const MAX_LOOKUP_KEYS = 10_000;

/** Documents found through `_id` or an index. */
export interface Candidates {
  docs: Document[];
  /**
   * True when the lookup alone decides the match: the filter is nothing but scalar
   * equalities (or `$in` lists of scalars) on exactly the fields of the index used,
   * so equal keys mean a match, also for multikey values. Otherwise the caller must
   * test each document with mingo.
   */
  exact: boolean;
}

function isScalar(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v !== 'object') return true;
  return (
    v instanceof Date || (v as { _bsontype?: unknown })._bsontype === 'ObjectId'
  );
}

function isScalarEquality(cond: unknown): boolean {
  if (!isPlainObject(cond)) return isScalar(cond);
  const keys = Object.keys(cond);
  if (keys.length !== 1) return false;
  if (keys[0] === '$eq') return isScalar(cond['$eq']);
  const list = cond['$in'];
  return keys[0] === '$in' && Array.isArray(list) && list.every(isScalar);
}

/** True if `filter` has exactly `fields` as keys, each a scalar equality. */
function filterIsExactlyOn(
  filter: Document,
  fields: readonly string[],
): boolean {
  if (Object.keys(filter).length !== fields.length) return false;
  return fields.every((f) => f in filter && isScalarEquality(filter[f]));
}

/**
 * The documents that can match `filter`, from a hash lookup on `_id` or on an index whose
 * every field the filter pins to one value (or an `$in` list); undefined means scan.
 * Unless `exact`, the result is a superset to be tested with mingo.
 */
export function candidates(
  coll: Collection,
  filter: Document,
): Candidates | undefined {
  const eq = new Map<string, unknown[]>();
  collectEqualities(filter, eq);
  if (eq.size === 0) return undefined;
  const ids = eq.get('_id');
  if (ids !== undefined && ids.length <= MAX_LOOKUP_KEYS) {
    const out: Document[] = [];
    const seen = new Set<Document>();
    for (const id of ids) {
      const doc = coll.getById(id);
      if (doc !== undefined && !seen.has(doc)) {
        seen.add(doc);
        out.push(doc);
      }
    }
    return { docs: out, exact: filterIsExactlyOn(filter, ['_id']) };
  }
  for (const index of coll.equalityIndexes()) {
    const perField = index.fields.map((f) => eq.get(f));
    if (perField.some((v) => v === undefined)) continue;
    let combos: unknown[][] = [[]];
    for (const vals of perField as unknown[][]) {
      combos = combos.flatMap((c) => vals.map((v) => [...c, v]));
      if (combos.length > MAX_LOOKUP_KEYS) break;
    }
    if (combos.length > MAX_LOOKUP_KEYS) continue;
    const idKeys = new Set<string>();
    for (const combo of combos) {
      for (const k of index.lookup(index.lookupKey(combo)) ?? []) idKeys.add(k);
    }
    return {
      docs: coll.byIdKeys(idKeys),
      exact: filterIsExactlyOn(filter, index.fields),
    };
  }
  return undefined;
}
