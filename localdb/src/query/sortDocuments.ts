// Internal to localdb: MongoDB's sort of documents (array fields by their smallest or largest element), in BSON order.
import type { Document } from 'bson';
import { collatorFor, type Collation } from './collation.js';
import { isPlainObject } from '../isPlainObject.js';
import { compareValues, TypeEdge } from '../storage/compareValues.js';

/**
 * The sort key of an empty array: after MinKey, before null and missing (so first in an
 * ascending sort and last in a descending one, as MongoDB orders it).
 */
const EMPTY_ARRAY = new TypeEdge(2, -1);

/** Every value a dotted path reaches, descending into arrays of documents. */
function collect(
  value: unknown,
  parts: readonly string[],
  i: number,
  out: unknown[],
): void {
  if (i === parts.length) {
    out.push(value);
    return;
  }
  const part = parts[i] as string;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) {
      collect(value[Number(part)], parts, i + 1, out);
      return;
    }
    for (const e of value)
      if (isPlainObject(e)) collect(e[part], parts, i + 1, out);
    return;
  }
  collect(isPlainObject(value) ? value[part] : undefined, parts, i + 1, out);
}

/**
 * The value a document sorts by on one field: the value itself for a scalar, an array's
 * smallest element ascending and largest descending (across every value a dotted path
 * reaches through arrays of documents). See
 * https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/#arrays
 */
function sortKey(
  doc: Document,
  path: string,
  parts: readonly string[] | undefined,
  direction: 1 | -1,
  strings: ((x: string, y: string) => number) | undefined,
): unknown {
  let values: unknown[];
  if (parts === undefined) {
    const v = doc[path];
    // The hot path: a scalar top-level field is its own key.
    if (!Array.isArray(v)) return v;
    values = [v];
  } else {
    values = [];
    collect(doc, parts, 0, values);
    if (values.length === 1 && !Array.isArray(values[0])) return values[0];
    if (values.length === 0) return undefined;
  }
  let best: unknown;
  let found = false;
  const consider = (c: unknown): void => {
    // Ascending keeps the smallest, descending the largest.
    if (!found || compareValues(c, best, strings) * direction < 0) {
      best = c;
      found = true;
    }
  };
  for (const v of values) {
    if (!Array.isArray(v)) consider(v);
    else if (v.length === 0) consider(EMPTY_ARRAY);
    else for (const e of v as unknown[]) consider(e);
  }
  return best;
}

/** A compiled sort: `sort(docs)` returns a new array, ties kept in input order. */
export type DocumentSort = (docs: readonly Document[]) => Document[];

/**
 * Compiles a sort specification of `1`/`-1` directions; undefined for one it does not
 * handle (a `$meta` sort), which the caller leaves to mingo. Strings compare by the
 * collation when one is given.
 */
export function compileSort(
  spec: Document,
  collation?: Collation,
): DocumentSort | undefined {
  const fields: Array<{
    path: string;
    parts: string[] | undefined;
    direction: 1 | -1;
  }> = [];
  for (const [path, d] of Object.entries(spec)) {
    if (typeof d !== 'number') return undefined;
    fields.push({
      path,
      parts: path.includes('.') ? path.split('.') : undefined,
      direction: d < 0 ? -1 : 1,
    });
  }
  if (fields.length === 0) return undefined;
  const strings = collation === undefined ? undefined : collatorFor(collation);
  const k = fields.length;
  return (docs) => {
    const n = docs.length;
    // Keys are computed once per document, laid out document after document.
    const keys: unknown[] = new Array<unknown>(n * k);
    for (let i = 0; i < n; i += 1) {
      const doc = docs[i] as Document;
      for (let f = 0; f < k; f += 1) {
        const field = fields[f] as (typeof fields)[number];
        keys[i * k + f] = sortKey(
          doc,
          field.path,
          field.parts,
          field.direction,
          strings,
        );
      }
    }
    const order: number[] = new Array<number>(n);
    for (let i = 0; i < n; i += 1) order[i] = i;
    order.sort((x, y) => {
      for (let f = 0; f < k; f += 1) {
        const c = compareValues(keys[x * k + f], keys[y * k + f], strings);
        if (c !== 0)
          return c * (fields[f] as (typeof fields)[number]).direction;
      }
      return x - y;
    });
    return order.map((i) => docs[i] as Document);
  };
}
