// Internal to localdb: an index key as one string whose order is the key's index order.
import { typeClass } from './compareValues.js';

/** The longest flat key built (in UTF-16 code units); longer keys are compared by value. */
const MAX_FLAT_UNITS = 256;

const float = new Float64Array(1);
/** The double's bits as four 16-bit units, least significant first (little-endian hosts). */
const units = new Uint16Array(float.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Reused by every call: the key's code units before they become a string. */
const codes: number[] = [];

/**
 * Appends a number's 64 bits so that unsigned comparison of the units orders the
 * numbers: a negative number has every bit flipped, a positive one its sign bit.
 */
function pushNumber(x: number, flip: number): void {
  float[0] = x === 0 ? 0 : x; // -0 is 0
  const hi = littleEndian ? 3 : 0;
  const step = littleEndian ? -1 : 1;
  const negative = ((units[hi] as number) & 0x8000) !== 0;
  for (let i = 0, at = hi; i < 4; i += 1, at += step) {
    const u = units[at] as number;
    const sortable = negative ? ~u & 0xffff : i === 0 ? u ^ 0x8000 : u;
    codes.push(sortable ^ flip);
  }
}

/**
 * The key (one value per indexed field, `directions` 1 or -1) as a string whose
 * code-unit order (JavaScript's `<` on strings) is the order compareValues gives the
 * key field by field, and which is equal exactly when every field compares equal; or
 * undefined when some value has no such form here (then entries compare by value).
 * Each field is a type-class unit, then for numbers and dates 4 units of the double,
 * for strings their units and a terminating NUL: strings holding a NUL, descending
 * strings, NaN, invalid dates and every other type are left out. Only for indexes
 * without collation (strings ordered by code unit, as compareValues orders them).
 *
 * Comparing entries by one flat string instead of by their values avoids following
 * entry → key array → value for every probe of a B-tree insert, which is what
 * those inserts mostly cost (memory misses, not comparisons).
 */
export function flatKey(
  key: readonly unknown[],
  directions: ReadonlyArray<1 | -1>,
): string | undefined {
  codes.length = 0;
  for (let i = 0; i < key.length; i += 1) {
    const v = key[i];
    const flip = directions[i] === -1 ? 0xffff : 0;
    if (v === undefined || v === null) {
      codes.push(typeClass(null) ^ flip);
    } else if (typeof v === 'number') {
      if (Number.isNaN(v)) return undefined;
      codes.push(typeClass(v) ^ flip);
      pushNumber(v, flip);
    } else if (typeof v === 'string') {
      if (flip !== 0 || v.length > MAX_FLAT_UNITS) return undefined;
      codes.push(typeClass(v));
      for (let j = 0; j < v.length; j += 1) {
        const c = v.charCodeAt(j);
        if (c === 0) return undefined;
        codes.push(c);
      }
      codes.push(0);
    } else if (v instanceof Date) {
      const t = v.getTime();
      if (Number.isNaN(t)) return undefined;
      codes.push(typeClass(v) ^ flip);
      pushNumber(t, flip);
    } else {
      return undefined;
    }
    if (codes.length > MAX_FLAT_UNITS) return undefined;
  }
  return String.fromCharCode.apply(null, codes);
}
