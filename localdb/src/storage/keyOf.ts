// Internal to localdb: a canonical string for a BSON value, used as a hash-map key.

interface BsonLike {
  _bsontype?: string;
  toString(): string;
  toHexString?: () => string;
}

/**
 * Encodes a value so that values MongoDB considers equal get the same key
 * (1, 1.0 and Long(1) are all the number 1 after decoding; a Long beyond 2^53
 * prints as the same digits as an equal double). Written here because neither
 * bson nor mingo exposes a hashable canonical form; mingo's own hash is not
 * collision-free, and index lookups must be exact.
 */
export function keyOf(value: unknown): string {
  if (value === undefined || value === null) return 'N';
  switch (typeof value) {
    case 'number':
      return `n${Object.is(value, -0) ? '0' : String(value)}`;
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'bigint':
      return `n${value.toString()}`;
    default:
      break;
  }
  if (value instanceof Date) return `d${value.getTime()}`;
  if (Array.isArray(value)) return `[${value.map(keyOf).join(',')}]`;
  if (value instanceof RegExp) return `r${String(value)}`;
  const bson = value as BsonLike;
  switch (bson._bsontype) {
    case 'ObjectId':
      return `o${bson.toHexString?.() ?? bson.toString()}`;
    case 'Long':
    case 'Int32':
    case 'Double':
      return `n${bson.toString()}`;
    case 'Decimal128':
      return `m${bson.toString()}`;
    case 'Binary': {
      const b = value as { sub_type: number; toString(enc: string): string };
      return `b${b.sub_type}:${b.toString('base64')}`;
    }
    case undefined:
      break;
    default:
      return `${bson._bsontype}:${bson.toString()}`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${keyOf(v)}`).join(',')}}`;
}
