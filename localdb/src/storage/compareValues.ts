// Internal to localdb: the total order of BSON values in an index, after MongoDB's.
import { isPlainObject } from '../isPlainObject.js';
import { keyOf } from './keyOf.js';

/**
 * A bound at the very start or end of one BSON type class, so that a range such as
 * `{ $gt: 5 }` stops at the last number (MongoDB's type bracketing) instead of running
 * on into strings and dates.
 */
export class TypeEdge {
  /** The type class (see typeClass). */
  readonly typeClass: number;
  /** -1 sorts before every value of the class, 1 after. */
  readonly side: -1 | 1;

  constructor(typeClass: number, side: -1 | 1) {
    this.typeClass = typeClass;
    this.side = side;
  }
}

/**
 * A plain document as an index holds it: its field names and values (documents among
 * them converted too) taken out once, when the key is stored or looked up, so that
 * comparing two of them, which every insert does a few dozen times on a time series'
 * meta field (`device: { id, district }`), lists no fields and allocates nothing.
 * Only an index holds these (see toIndexValue); it compares as the document would.
 */
export class DocKey {
  readonly names: readonly string[];
  readonly values: readonly unknown[];

  constructor(names: readonly string[], values: readonly unknown[]) {
    this.names = names;
    this.values = values;
  }
}

/** A value as an index stores and compares it: a plain document becomes a DocKey. */
export function toIndexValue(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const names = Object.keys(value);
  return new DocKey(
    names,
    names.map((n) => toIndexValue(value[n])),
  );
}

/** Sorts before every value. */
export const MIN_EDGE = new TypeEdge(0, -1);
/** Sorts after every value. */
export const MAX_EDGE = new TypeEdge(100, 1);

/**
 * MongoDB's comparison order of BSON types: MinKey, null (and missing), numbers,
 * strings, objects, arrays, binary, ObjectId, booleans, dates, timestamps, regular
 * expressions, MaxKey. See https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
 */
export function typeClass(value: unknown): number {
  if (value === undefined || value === null) return 2;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
    default:
      break;
  }
  if (value instanceof TypeEdge) return value.typeClass;
  if (value instanceof Date) return 10;
  if (Array.isArray(value)) return 6;
  if (value instanceof RegExp) return 12;
  switch ((value as { _bsontype?: string })._bsontype) {
    case 'MinKey':
      return 1;
    case 'MaxKey':
      return 13;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    default:
      return 5;
  }
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return Number((value as { toString(): string }).toString());
}

function cmp<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares two values in index order: by type class, then within the class. Values
 * MongoDB treats as equal (1, 1.0, Long(1)) compare as 0, so lookups are exact.
 * Documents and arrays compare field by field and element by element (MongoDB's
 * order); timestamps and regular expressions by their canonical key: a consistent
 * total order (equal values compare equal). The planner never puts a range bound on
 * documents or arrays.
 */
export function compareValues(
  a: unknown,
  b: unknown,
  strings?: (x: string, y: string) => number,
): number {
  // Fast paths for the common index keys: strings, numbers, dates, ObjectIds.
  const ta = typeof a;
  if (ta === typeof b) {
    if (strings !== undefined && ta === 'string')
      return strings(a as string, b as string);
    if (ta === 'string' || ta === 'number')
      return (a as number) < (b as number)
        ? -1
        : (a as number) > (b as number)
          ? 1
          : ta === 'number' && Number.isNaN(a) !== Number.isNaN(b)
            ? Number.isNaN(a)
              ? -1
              : 1
            : 0;
    if (a instanceof Date && b instanceof Date) {
      const x = a.getTime();
      const y = b.getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a instanceof DocKey && b instanceof DocKey)
      return compareDocKeys(a, b, strings);
  }
  const ca = typeClass(a);
  const cb = typeClass(b);
  if (ca !== cb) return ca - cb;
  const ea = a instanceof TypeEdge ? a.side : 0;
  const eb = b instanceof TypeEdge ? b.side : 0;
  if (ea !== 0 || eb !== 0) return ea - eb;
  switch (ca) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3: {
      const x = toNumber(a);
      const y = toNumber(b);
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
      if (Number.isNaN(y)) return 1;
      return cmp(x, y);
    }
    case 4:
      return strings === undefined
        ? cmp(String(a), String(b))
        : strings(String(a), String(b));
    case 7: {
      // MongoDB orders BinData by length, then subtype, then bytes.
      const x = a as { buffer: Uint8Array; sub_type: number };
      const y = b as { buffer: Uint8Array; sub_type: number };
      if (x.buffer.length !== y.buffer.length)
        return x.buffer.length - y.buffer.length;
      if (x.sub_type !== y.sub_type) return x.sub_type - y.sub_type;
      for (let i = 0; i < x.buffer.length; i += 1) {
        const d = (x.buffer[i] as number) - (y.buffer[i] as number);
        if (d !== 0) return d;
      }
      return 0;
    }
    case 8: {
      const x = (a as { id: Uint8Array }).id;
      const y = (b as { id: Uint8Array }).id;
      for (let i = 0; i < 12; i += 1) {
        const d = (x[i] as number) - (y[i] as number);
        if (d !== 0) return d;
      }
      return 0;
    }
    case 9:
      return cmp(a as boolean, b as boolean);
    case 10:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 5: {
      // Plain documents first (field by field), then other BSON classes (DBRef, Code)
      // by canonical key, so the order stays total across the two.
      if (a instanceof DocKey && b instanceof DocKey)
        return compareDocKeys(a, b, strings);
      const pa = isPlainObject(a) || a instanceof DocKey;
      const pb = isPlainObject(b) || b instanceof DocKey;
      if (pa && pb)
        return compareDocuments(asDocument(a), asDocument(b), strings);
      if (pa !== pb) return pa ? -1 : 1;
      return cmp(keyOf(a), keyOf(b));
    }
    case 6: {
      // Element by element, then the shorter first.
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i += 1) {
        const c = compareValues(x[i], y[i], strings);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default:
      return cmp(keyOf(a), keyOf(b));
  }
}

/** A DocKey back as the document it stands for (a DocKey beside a plain document, rare). */
function asDocument(value: unknown): Record<string, unknown> {
  if (!(value instanceof DocKey)) return value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < value.names.length; i += 1)
    out[value.names[i] as string] = value.values[i];
  return out;
}

/** compareDocuments for two DocKeys. */
function compareDocKeys(
  a: DocKey,
  b: DocKey,
  strings: ((x: string, y: string) => number) | undefined,
): number {
  const ka = a.names;
  const kb = b.names;
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i += 1) {
    const va = a.values[i];
    const vb = b.values[i];
    const t = typeClass(va) - typeClass(vb);
    if (t !== 0) return t;
    const fa = ka[i] as string;
    const fb = kb[i] as string;
    if (fa !== fb) return fa < fb ? -1 : 1;
    const c = compareValues(va, vb, strings);
    if (c !== 0) return c;
  }
  return ka.length - kb.length;
}

/**
 * Documents field by field in their stored order, as MongoDB compares them: each
 * field's value, its name, then the one with fewer fields first. Equal exactly when
 * their keyOf is (same fields, same order, equal values). A time series' meta field
 * (`device: { id, district }`) leads its meta/time index, so this runs on every
 * insert: comparing in place instead of building both canonical keys.
 */
function compareDocuments(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  strings: ((x: string, y: string) => number) | undefined,
): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i += 1) {
    const fa = ka[i] as string;
    const fb = kb[i] as string;
    const va = a[fa];
    const vb = b[fb];
    const t = typeClass(va) - typeClass(vb);
    if (t !== 0) return t;
    if (fa !== fb) return fa < fb ? -1 : 1;
    const c = compareValues(va, vb, strings);
    if (c !== 0) return c;
  }
  return ka.length - kb.length;
}
