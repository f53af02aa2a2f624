// Internal to localdb: picks the documents a filter can match using `_id` or an index.
import type { Document } from 'bson';
import { isPlainObject } from '../isPlainObject.js';
import type { Collection } from '../storage/Collection.js';

/** Values a field is required to equal, or undefined if the condition is not a plain equality. */
function equalityValues(cond: unknown): unknown[] | undefined {
  if (
    cond === null ||
    cond === undefined ||
    Array.isArray(cond) ||
    cond instanceof RegExp
  ) {
    return undefined;
  }
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

/**
 * The documents that can match `filter`, from a hash lookup on `_id` or on an index whose
 * every field the filter pins to one value (or an `$in` list); undefined means scan.
 * The result is a superset: the caller still tests each document with mingo.
 */
export function candidates(
  coll: Collection,
  filter: Document,
): Document[] | undefined {
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
    return out;
  }
  const indexes = coll
    .equalityIndexes()
    .sort((a, b) => Number(b.unique) - Number(a.unique));
  for (const index of indexes) {
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
    return coll.byIdKeys(idKeys);
  }
  return undefined;
}
