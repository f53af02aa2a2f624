// Internal to localdb: operator updates of top-level fields, without a whole-document copy.
import type { Document } from 'bson';
import { encodeDocument } from '../bsonCodec.js';
import { isPlainObject } from '../isPlainObject.js';

/** A document's new version, with the top-level fields whose value changed. */
export interface TrackedUpdate {
  doc: Document;
  /** Top-level fields whose BSON value differs from the old document's (empty: a no-op). */
  changed: ReadonlySet<string>;
}

/** Operators this path applies; any other sends the update to mingo. */
const OPERATORS = new Set([
  '$set',
  '$setOnInsert',
  '$unset',
  '$inc',
  '$min',
  '$max',
  '$currentDate',
]);

function isTopLevelName(key: string): boolean {
  return (
    key !== '' &&
    key !== '_id' &&
    key !== '__proto__' &&
    !key.includes('.') &&
    !key.startsWith('$')
  );
}

/** Values `$min`/`$max` compare here: both numbers or both dates (anything else is mingo's). */
function comparable(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number')
    return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date)
    return Math.sign(a.getTime() - b.getTime());
  return undefined;
}

/**
 * Whether two values encode to the same BSON, decided without encoding: true or false
 * when certain, undefined when the values hold something this does not model (a BSON
 * class other than Date, an `undefined` that BSON would drop). Plain documents compare
 * field by field in order (BSON keeps the order), arrays element by element, numbers
 * by Object.is (a JS number has one encoding), dates by time.
 */
function sameBson(a: unknown, b: unknown): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'number') return Object.is(a, b);
  if (a === b) return true;
  const objectA = ta === 'object' && a !== null;
  const objectB = tb === 'object' && b !== null;
  // Two unequal primitives (strings, booleans, null, numbers of another type) differ;
  // a primitive beside a BSON class instance is left to the encoder.
  if (!objectA || !objectB) return objectA || objectB ? undefined : false;
  if (a instanceof Date && b instanceof Date)
    return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return undefined;
    for (let i = 0; i < a.length; i += 1) {
      const same = sameBson(a[i], b[i]);
      if (same !== true) return same;
    }
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return undefined;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return undefined;
  for (let i = 0; i < ka.length; i += 1) {
    const k = ka[i] as string;
    if (k !== kb[i]) return undefined;
    const same = sameBson(a[k], b[k]);
    if (same !== true) return same;
  }
  return true;
}

/** True when two field values encode to the same BSON (what a no-op update leaves). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'number' || Object.is(a, b);
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  )
    return false;
  if (a instanceof Date && b instanceof Date)
    return a.getTime() === b.getTime();
  // Most changed values differ in a field or element found in place (a sensor's
  // `latest`): only what that cannot decide is encoded.
  return (
    sameBson(a, b) ??
    Buffer.from(encodeDocument({ v: a })).equals(encodeDocument({ v: b }))
  );
}

/**
 * Applies an operator update whose every operator is `$set`, `$setOnInsert`, `$unset`,
 * `$inc`, `$min`, `$max` or `$currentDate` of distinct top-level fields (not `_id`),
 * with `$inc` on numbers and `$min`/`$max` on numbers or dates: the updates ingestion,
 * outboxes and mongoose's saves send. Returns undefined for anything else (paths,
 * arrays, other types, a field named twice), which mingo applies with MongoDB's errors.
 *
 * The new version is a shallow copy: untouched fields keep the old version's values,
 * which is safe because stored documents are never mutated in place (see Collection);
 * the values assigned come from the command, decoded for this request alone.
 */
export function applyTopLevelUpdate(
  doc: Document,
  modifier: Document,
  inserting: boolean,
): TrackedUpdate | undefined {
  const seen = new Set<string>();
  for (const [op, arg] of Object.entries(modifier)) {
    if (!OPERATORS.has(op) || !isPlainObject(arg)) return undefined;
    for (const [field, value] of Object.entries(arg)) {
      if (!isTopLevelName(field) || seen.has(field)) return undefined;
      seen.add(field);
      const current = Object.hasOwn(doc, field) ? doc[field] : undefined;
      switch (op) {
        case '$inc':
          if (
            typeof value !== 'number' ||
            (current !== undefined && typeof current !== 'number')
          )
            return undefined;
          break;
        case '$min':
        case '$max':
          if (current !== undefined && comparable(current, value) === undefined)
            return undefined;
          break;
        case '$currentDate':
          if (
            value !== true &&
            !(isPlainObject(value) && value['$type'] === 'date')
          )
            return undefined;
          break;
        default:
          break;
      }
    }
  }
  const next: Document = { ...doc };
  const changed = new Set<string>();
  const assign = (field: string, value: unknown): void => {
    if (Object.hasOwn(doc, field) && sameValue(doc[field], value)) return;
    next[field] = value;
    changed.add(field);
  };
  const now = new Date();
  for (const [op, arg] of Object.entries(modifier) as Array<[string, Document]>)
    for (const [field, value] of Object.entries(arg)) {
      const current = Object.hasOwn(doc, field) ? doc[field] : undefined;
      switch (op) {
        case '$set':
          assign(field, value);
          break;
        case '$setOnInsert':
          if (inserting) assign(field, value);
          break;
        case '$unset':
          if (Object.hasOwn(doc, field)) {
            delete next[field];
            changed.add(field);
          }
          break;
        case '$inc':
          assign(
            field,
            current === undefined
              ? value
              : (current as number) + (value as number),
          );
          break;
        case '$min':
          if (current === undefined || (comparable(value, current) ?? 0) < 0)
            assign(field, value);
          break;
        case '$max':
          if (current === undefined || (comparable(value, current) ?? 0) > 0)
            assign(field, value);
          break;
        case '$currentDate':
          assign(field, now);
          break;
      }
    }
  return { doc: changed.size === 0 ? doc : next, changed };
}
