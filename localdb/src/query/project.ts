// Internal to localdb: find projections through mingo, with MongoDB's field order and `$slice`-only projections.
import type { Document } from 'bson';
import { isPlainObject } from '../isPlainObject.js';
import { createQuery } from './mingo.js';

function isExclusion(v: unknown): boolean {
  return v === 0 || v === false;
}

function isSlice(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length === 1 && '$slice' in v;
}

function slice(arr: unknown[], arg: unknown): unknown[] {
  if (typeof arg === 'number')
    return arg >= 0
      ? arr.slice(0, arg)
      : arr.slice(Math.max(0, arr.length + arg));
  if (
    Array.isArray(arg) &&
    typeof arg[0] === 'number' &&
    typeof arg[1] === 'number'
  ) {
    const skip = arg[0] < 0 ? Math.max(0, arr.length + arg[0]) : arg[0];
    return arr.slice(skip, skip + arg[1]);
  }
  return arr;
}

/** A copy of `doc` with the array at `path` sliced; other values untouched. */
function sliceAt(
  doc: Document,
  parts: readonly string[],
  arg: unknown,
): Document {
  const [head, ...rest] = parts;
  const key = head as string;
  if (!(key in doc)) return doc;
  const v = doc[key];
  if (rest.length === 0)
    return Array.isArray(v) ? { ...doc, [key]: slice(v, arg) } : doc;
  if (isPlainObject(v)) return { ...doc, [key]: sliceAt(v, rest, arg) };
  if (Array.isArray(v))
    return {
      ...doc,
      [key]: v.map((el) => (isPlainObject(el) ? sliceAt(el, rest, arg) : el)),
    };
  return doc;
}

/** Top-level fields in MongoDB's order: `_id` first, then as in the stored document, then computed ones. */
function inDocumentOrder(out: Document, source: Document): Document {
  const ordered: Document = {};
  if ('_id' in out) ordered['_id'] = out['_id'];
  for (const key of Object.keys(source))
    if (key !== '_id' && key in out) ordered[key] = out[key];
  for (const key of Object.keys(out))
    if (!(key in ordered)) ordered[key] = out[key];
  return ordered;
}

/**
 * Applies a find projection. mingo does the work, except where it differs from MongoDB:
 * a projection of only `$slice` (and exclusions) keeps every other field (mingo keeps
 * only the sliced one), and an inclusion keeps the stored field order with `_id` first
 * (mingo puts `_id` last).
 */
export function project(docs: Document[], projection: Document): Document[] {
  const entries = Object.entries(projection);
  const slices = entries.filter(([, v]) => isSlice(v));
  if (
    slices.length > 0 &&
    entries.every(([, v]) => isSlice(v) || isExclusion(v))
  ) {
    const exclusions = Object.fromEntries(
      entries.filter(([, v]) => isExclusion(v)),
    );
    const base =
      Object.keys(exclusions).length > 0
        ? (createQuery({}).find(docs, exclusions).all() as Document[])
        : docs;
    return base.map((doc) =>
      slices.reduce(
        (d, [path, v]) =>
          sliceAt(d, path.split('.'), (v as Document)['$slice']),
        doc,
      ),
    );
  }
  const out = createQuery({}).find(docs, projection).all() as Document[];
  const inclusion = entries.some(
    ([k, v]) => k !== '_id' && !isExclusion(v) && !isPlainObject(v),
  );
  if (!inclusion) return out;
  return out.map((d, i) => inDocumentOrder(d, docs[i] as Document));
}
