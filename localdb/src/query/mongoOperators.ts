// Internal to localdb: query operators where mingo 7.2.7 differs from MongoDB, replaced by MongoDB's semantics.
import type { Document } from 'bson';
import {
  $eq as mingoEq,
  $gt as mingoGt,
  $gte as mingoGte,
  $in as mingoIn,
  $lt as mingoLt,
  $lte as mingoLte,
  $ne as mingoNe,
  $nin as mingoNin,
} from 'mingo/operators/query';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { compareValues, typeClass } from '../storage/compareValues.js';
import { collatorFor, type Collation } from './collation.js';

type Predicate = (doc: unknown) => boolean;
type Options = { collation?: Collation } | undefined;
type MingoOperator = (
  selector: string,
  value: unknown,
  options: never,
) => Predicate;

function badValue(message: string): CommandError {
  return new CommandError(ErrorCode.BadValue, message);
}

function collect(
  value: unknown,
  parts: readonly string[],
  i: number,
  out: unknown[],
): void {
  if (i === parts.length) {
    out.push(value);
    if (Array.isArray(value)) for (const el of value) out.push(el);
    return;
  }
  const part = parts[i] as string;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) collect(value[Number(part)], parts, i + 1, out);
    for (const el of value) if (isPlainObject(el)) collect(el, parts, i, out);
    return;
  }
  if (isPlainObject(value)) collect(value[part], parts, i + 1, out);
  else out.push(undefined);
}

/** The values a leaf operator tests at `path`: the value, and each element of an array value. */
export function leafValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function bsonType(v: unknown): string | undefined {
  return (v as { _bsontype?: string } | null)?._bsontype;
}

/**
 * BSON types by alias and number. Stored Int32/Double/small Long values are plain
 * numbers (docs/localdb.md, "BSON types"): an integral number is an `int` (a `long`
 * beyond int32), any other number a `double`.
 */
const TYPES: Record<string, (v: unknown) => boolean> = {
  double: (v) => typeof v === 'number' && !Number.isInteger(v),
  string: (v) => typeof v === 'string' || bsonType(v) === 'BSONSymbol',
  object: (v) => isPlainObject(v),
  array: (v) => Array.isArray(v),
  binData: (v) => bsonType(v) === 'Binary',
  undefined: () => false,
  objectId: (v) => bsonType(v) === 'ObjectId',
  bool: (v) => typeof v === 'boolean',
  date: (v) => v instanceof Date,
  null: (v) => v === null,
  regex: (v) => v instanceof RegExp || bsonType(v) === 'BSONRegExp',
  javascript: (v) => bsonType(v) === 'Code',
  symbol: (v) => bsonType(v) === 'BSONSymbol',
  int: (v) =>
    typeof v === 'number' &&
    Number.isInteger(v) &&
    v >= INT32_MIN &&
    v <= INT32_MAX,
  timestamp: (v) => bsonType(v) === 'Timestamp',
  long: (v) =>
    bsonType(v) === 'Long' ||
    (typeof v === 'number' &&
      Number.isInteger(v) &&
      (v < INT32_MIN || v > INT32_MAX)),
  decimal: (v) => bsonType(v) === 'Decimal128',
  minKey: (v) => bsonType(v) === 'MinKey',
  maxKey: (v) => bsonType(v) === 'MaxKey',
  number: (v) => typeClass(v) === 3,
};

const TYPE_NUMBERS: Record<number, string> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  6: 'undefined',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  13: 'javascript',
  14: 'symbol',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};

function typeTest(t: unknown): (v: unknown) => boolean {
  const name = typeof t === 'number' ? TYPE_NUMBERS[t] : t;
  const test = typeof name === 'string' ? TYPES[name] : undefined;
  if (test === undefined) {
    if (typeof t === 'number')
      throw badValue(`Invalid numerical type code: ${t}`);
    throw badValue(`Unknown type name alias: ${String(t)}`);
  }
  return test;
}

/** `$type` with MongoDB's aliases and numbers ('long', 'objectId', 'binData', 'double' vs 'int'...). */
export function $type(selector: string, value: unknown): Predicate {
  const tests = (Array.isArray(value) ? value : [value]).map(typeTest);
  return (doc) =>
    leafValues(doc, selector).some(
      (v) => v !== undefined && tests.some((t) => t(v)),
    );
}

/** `$all`: each value is matched as an equality (or `$elemMatch`), so a non-array field equal to the one value matches. */
export function $all(
  selector: string,
  value: unknown,
  options: Options,
): Predicate {
  if (!Array.isArray(value)) throw badValue('$all needs an array');
  if (value.length === 0) return () => false;
  const tests = value.map((v) => {
    if (isPlainObject(v) && '$elemMatch' in v) {
      const inner = v['$elemMatch'];
      if (!isPlainObject(inner)) throw badValue('$elemMatch needs an Object');
      return elemMatchTest(selector, inner, options);
    }
    return equalityTest(selector, v, options);
  });
  return (doc) => tests.every((t) => t(doc));
}

let makeQuery: (filter: Document, options: Options) => Predicate = () => {
  throw new Error('localdb: query factory not registered');
};

/** Lets the operators build sub-queries with the full operator set (set once by mingo.ts). */
export function registerQueryFactory(
  factory: (filter: Document, options: Options) => Predicate,
): void {
  makeQuery = factory;
}

function elemMatchTest(
  selector: string,
  inner: Document,
  options: Options,
): Predicate {
  return makeQuery({ [selector]: { $elemMatch: inner } }, options);
}

function equalityTest(
  selector: string,
  v: unknown,
  options: Options,
): Predicate {
  if (v instanceof RegExp) return makeQuery({ [selector]: v }, options);
  return makeQuery({ [selector]: { $eq: v } }, options);
}

// --- Collation-aware comparisons ------------------------------------------------------

function collatedCompare(
  a: unknown,
  b: unknown,
  compare: (x: string, y: string) => number,
): number {
  if (typeof a === 'string' && typeof b === 'string') return compare(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
      const c = collatedCompare(a[i], b[i], compare);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i += 1) {
      const c =
        compareValues(ka[i], kb[i]) ||
        collatedCompare(a[ka[i] as string], b[kb[i] as string], compare);
      if (c !== 0) return c;
    }
    return ka.length - kb.length;
  }
  return compareValues(a, b);
}

function binaryOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function collated(
  options: Options,
): ((a: string, b: string) => number) | undefined {
  const c = options?.collation;
  // mingo's updater passes an empty collation: only a locale makes one.
  return typeof c?.locale === 'string' && c.locale !== 'simple'
    ? collatorFor(c)
    : undefined;
}

function anyEqual(
  values: unknown[],
  target: unknown,
  compare: (a: string, b: string) => number,
): boolean {
  if (target === null && values.some((v) => v === undefined || v === null))
    return true;
  if (target instanceof RegExp)
    return values.some((v) => typeof v === 'string' && target.test(v));
  return values.some(
    (v) =>
      v !== undefined &&
      typeClass(v) === typeClass(target) &&
      collatedCompare(v, target, compare) === 0,
  );
}

function withCollation(
  original: MingoOperator,
  test: (
    values: unknown[],
    value: unknown,
    compare: (a: string, b: string) => number,
  ) => boolean,
): MingoOperator {
  return (selector, value, options) => {
    // Binary values follow MongoDB's order (length, subtype, bytes), which mingo lacks.
    const compare =
      collated(options as Options) ??
      (bsonType(value) === 'Binary' ||
      (Array.isArray(value) && value.some((v) => bsonType(v) === 'Binary'))
        ? binaryOrder
        : undefined);
    if (compare === undefined) return original(selector, value, options);
    return (doc) => test(leafValues(doc, selector), value, compare);
  };
}

function rangeTest(sign: (c: number) => boolean) {
  return (
    values: unknown[],
    value: unknown,
    compare: (a: string, b: string) => number,
  ): boolean =>
    values.some(
      (v) =>
        v !== undefined &&
        typeClass(v) === typeClass(value) &&
        sign(collatedCompare(v, value, compare)),
    );
}

function inTest(
  values: unknown[],
  value: unknown,
  compare: (a: string, b: string) => number,
): boolean {
  if (!Array.isArray(value)) throw badValue('$in needs an array');
  return value.some((t) => anyEqual(values, t, compare));
}

/** `$eq`, honouring the query's collation (strings compared with Intl.Collator). */
export const $eq = withCollation(mingoEq as MingoOperator, anyEqual);
/** `$ne`, honouring the collation. */
export const $ne = withCollation(
  mingoNe as MingoOperator,
  (values, value, compare) => !anyEqual(values, value, compare),
);
/** `$in`, honouring the collation. */
export const $in = withCollation(mingoIn as MingoOperator, inTest);
/** `$nin`, honouring the collation. */
export const $nin = withCollation(
  mingoNin as MingoOperator,
  (values, value, compare) => !inTest(values, value, compare),
);
/** `$gt`, honouring the collation. */
export const $gt = withCollation(
  mingoGt as MingoOperator,
  rangeTest((c) => c > 0),
);
/** `$gte`, honouring the collation. */
export const $gte = withCollation(
  mingoGte as MingoOperator,
  rangeTest((c) => c >= 0),
);
/** `$lt`, honouring the collation. */
export const $lt = withCollation(
  mingoLt as MingoOperator,
  rangeTest((c) => c < 0),
);
/** `$lte`, honouring the collation. */
export const $lte = withCollation(
  mingoLte as MingoOperator,
  rangeTest((c) => c <= 0),
);

// --- Bitwise operators, binary included --------------------------------------------

function bitPositions(mask: unknown, op: string): number[] {
  if (Array.isArray(mask)) {
    if (!mask.every((p) => Number.isInteger(p) && (p as number) >= 0))
      throw badValue(`bit positions must be non-negative integers in ${op}`);
    return mask as number[];
  }
  if (bsonType(mask) === 'Binary') {
    const bytes = (mask as { buffer: Uint8Array }).buffer;
    const out: number[] = [];
    bytes.forEach((byte, i) => {
      for (let b = 0; b < 8; b += 1) if ((byte >> b) & 1) out.push(i * 8 + b);
    });
    return out;
  }
  if (typeof mask === 'number' && Number.isInteger(mask) && mask >= 0) {
    const out: number[] = [];
    let n = BigInt(mask);
    for (let b = 0; n > 0n; b += 1, n >>= 1n) if (n & 1n) out.push(b);
    return out;
  }
  throw badValue(
    `${op} takes an Array, a number, or a BinData but received: ${JSON.stringify(mask)}`,
  );
}

/** The bits of a value a bitwise operator reads, or undefined if it reads none (non-integers, strings...). */
function bitReader(v: unknown): ((pos: number) => boolean) | undefined {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return undefined;
    const n = BigInt.asUintN(64, BigInt(v));
    const negative = v < 0;
    return (pos) => (pos >= 64 ? negative : ((n >> BigInt(pos)) & 1n) === 1n);
  }
  if (bsonType(v) === 'Long') {
    const n = BigInt.asUintN(64, BigInt(String(v)));
    const negative = String(v).startsWith('-');
    return (pos) => (pos >= 64 ? negative : ((n >> BigInt(pos)) & 1n) === 1n);
  }
  if (bsonType(v) === 'Binary') {
    const bytes = (v as { buffer: Uint8Array }).buffer;
    return (pos) => (((bytes[pos >> 3] ?? 0) >> (pos & 7)) & 1) === 1;
  }
  return undefined;
}

function bitwise(
  op: string,
  test: (positions: number[], bit: (pos: number) => boolean) => boolean,
) {
  return (selector: string, mask: unknown): Predicate => {
    const positions = bitPositions(mask, op);
    return (doc) =>
      leafValues(doc, selector).some((v) => {
        if (Array.isArray(v)) return false;
        const bit = bitReader(v);
        return bit !== undefined && test(positions, bit);
      });
  };
}

/** `$bitsAllSet` on integers and BinData, with a number, position list or BinData mask. */
export const $bitsAllSet = bitwise('$bitsAllSet', (ps, bit) => ps.every(bit));
/** `$bitsAllClear`. */
export const $bitsAllClear = bitwise('$bitsAllClear', (ps, bit) =>
  ps.every((p) => !bit(p)),
);
/** `$bitsAnySet`. */
export const $bitsAnySet = bitwise('$bitsAnySet', (ps, bit) => ps.some(bit));
/** `$bitsAnyClear`. */
export const $bitsAnyClear = bitwise('$bitsAnyClear', (ps, bit) =>
  ps.some((p) => !bit(p)),
);
