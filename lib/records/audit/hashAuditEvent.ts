/**
 * The hash of an audit event: sha256 over a canonical serialization of every
 * stored field except `_id` (assigned by the database) and `hash` itself,
 * `prevHash` included, so each event seals the one before it.
 */
import { createHash } from 'node:crypto';

/**
 * A deterministic serialization: JSON with object keys sorted at every
 * level, dates as `{"$date":"<ISO 8601>"}` (so a date and a string never
 * serialize alike), `undefined` object members left out.
 * @throws TypeError on values that have no stable form (non-finite numbers,
 *   functions, symbols, bigints, other class instances).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new TypeError('canonicalJson: invalid date');
    return `{"$date":${JSON.stringify(value.toISOString())}}`;
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`canonicalJson: ${value} has no canonical form`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map(canonicalJson).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(
          'canonicalJson: only plain objects, arrays, dates and primitives are allowed',
        );
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
    }
    default:
      throw new TypeError(
        `canonicalJson: a ${typeof value} has no canonical form`,
      );
  }
}

/**
 * The hash an event must carry: sha256 (hex) of {@link canonicalJson} of the
 * event without its `_id` and `hash` members. Works on events as written and
 * on raw documents read back from the database alike, so any field added,
 * removed or changed after the write changes the result.
 */
export function hashAuditEvent(
  event: Readonly<Record<string, unknown>>,
): string {
  const { _id: _ignoredId, hash: _ignoredHash, ...sealed } = event;
  return createHash('sha256').update(canonicalJson(sealed)).digest('hex');
}
