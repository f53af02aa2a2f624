// Internal to localdb: the document an upsert starts from, taken from its filter.
import type { Document } from 'bson';
import { isPlainObject } from '../isPlainObject.js';

function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: Document = doc;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    if (!isPlainObject(next)) target[part] = {};
    target = target[part] as Document;
  }
  target[parts[parts.length - 1] as string] = value;
}

function collect(filter: Document, seed: Document): void {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) collect(sub, seed);
      continue;
    }
    if (field.startsWith('$')) continue;
    if (isPlainObject(cond)) {
      const keys = Object.keys(cond);
      if (keys.length > 0 && keys.every((k) => k.startsWith('$'))) {
        if ('$eq' in cond) setPath(seed, field, cond['$eq']);
        continue;
      }
    }
    if (cond instanceof RegExp) continue;
    setPath(seed, field, cond);
  }
}

/**
 * The equality fields of an upsert's filter, as a document (dotted paths nested).
 * Per MongoDB's upsert rules, operator conditions other than `$eq` contribute nothing.
 */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  collect(filter, seed);
  return seed;
}
