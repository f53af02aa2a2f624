// Internal to localdb: what MongoDB checks or does in an operator update that mingo 7.2.7 does not (wrong types, paths through scalars, $pull with a query).
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { keyOf } from '../storage/keyOf.js';
import { renderValue } from '../storage/Index.js';
import { createQuery } from './mingo.js';

/** MongoDB's type name of a value, as its update errors say it. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) ? 'int' : 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      break;
  }
  const t = (v as { _bsontype?: string })._bsontype;
  if (t === 'ObjectId') return 'objectId';
  if (t === 'Binary') return 'binData';
  if (t === 'Long') return 'long';
  if (t === 'Decimal128') return 'decimal';
  return 'object';
}

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return true;
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  return t === 'Long' || t === 'Decimal128' || t === 'Int32' || t === 'Double';
}

/** Operators that create the path they name (and so fail on a scalar or array in the way). */
const CREATING = new Set([
  '$set',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$addToSet',
  '$currentDate',
]);

interface Walk {
  /** The value at the path, undefined if absent. */
  value: unknown;
  /** The element in the way of creating the path, if any: [its field, its value, the field that could not be made]. */
  blocked?: [string, unknown, string];
}

function walk(doc: Document, path: string): Walk {
  const parts = path.split('.');
  let cur: unknown = doc;
  let parentKey = '';
  for (const part of parts) {
    if (cur === undefined || cur === null) {
      if (cur === null)
        return { value: undefined, blocked: [parentKey, cur, part] };
      return { value: undefined };
    }
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(part))
        return { value: undefined, blocked: [parentKey, cur, part] };
      cur = cur[Number(part)];
    } else if (isPlainObject(cur)) {
      cur = cur[part];
    } else {
      return { value: undefined, blocked: [parentKey, cur, part] };
    }
    parentKey = part;
  }
  return { value: cur };
}

/**
 * Throws MongoDB's errors for an operator update that cannot apply to `doc`: creating a
 * field through a scalar or an array (code 28 PathNotViable), `$inc`/`$mul` on a
 * non-number (14 TypeMismatch), `$push`/`$addToSet` on a non-array (2 BadValue),
 * `$pull`/`$pop` on a non-array (2 / 14). mingo would leave the document unchanged.
 * Paths with positional parts (`$`, `$[]`, `$[x]`) are left to mingo.
 */
export function checkUpdateTypes(doc: Document, modifier: Document): void {
  const id = renderValue({ _id: doc['_id'] });
  for (const [op, fields] of Object.entries(modifier)) {
    if (!isPlainObject(fields)) continue;
    for (const [path, arg] of Object.entries(fields)) {
      if (path.includes('$')) continue;
      const { value, blocked } = walk(doc, path);
      if (blocked !== undefined) {
        if (!CREATING.has(op)) continue;
        const [key, holder, part] = blocked;
        throw new CommandError(
          ErrorCode.PathNotViable,
          `Cannot create field '${part}' in element {${key}: ${renderValue(holder)}}`,
        );
      }
      switch (op) {
        case '$inc':
        case '$mul': {
          const verb = op === '$inc' ? 'increment' : 'multiply';
          if (!isNumeric(arg))
            throw new CommandError(
              ErrorCode.TypeMismatch,
              `Cannot ${verb} with non-numeric argument: {${path}: ${renderValue(arg)}}`,
            );
          if (value !== undefined && !isNumeric(value))
            throw new CommandError(
              ErrorCode.TypeMismatch,
              `Cannot apply ${op} to a value of non-numeric type. ${id} has the field '${path.split('.').pop() ?? path}' of non-numeric type ${typeName(value)}`,
            );
          break;
        }
        case '$push':
          if (value !== undefined && !Array.isArray(value))
            throw new CommandError(
              ErrorCode.BadValue,
              `The field '${path}' must be an array but is of type ${typeName(value)} in document ${id}`,
            );
          break;
        case '$addToSet':
          if (value !== undefined && !Array.isArray(value))
            throw new CommandError(
              ErrorCode.BadValue,
              `Cannot apply $addToSet to non-array field. Field named '${path.split('.').pop() ?? path}' has non-array type ${typeName(value)}`,
            );
          break;
        case '$pull':
        case '$pullAll':
          if (value !== undefined && !Array.isArray(value))
            throw new CommandError(
              ErrorCode.BadValue,
              'Cannot apply $pull to a non-array value',
            );
          break;
        case '$pop':
          if (value !== undefined && !Array.isArray(value))
            throw new CommandError(
              ErrorCode.TypeMismatch,
              `Path '${path}' contains an element of non-array type '${typeName(value)}'`,
            );
          break;
        default:
          break;
      }
    }
  }
}

/** True when `cond` is a query on each element's fields (`{ a: 1 }`, `{ $or: [...] }`) rather than on the element's value (`{ $gte: 5 }`). */
function isDocumentCondition(cond: Document): boolean {
  const keys = Object.keys(cond);
  return keys.some(
    (k) => !k.startsWith('$') || k === '$or' || k === '$and' || k === '$nor',
  );
}

/**
 * Applies `$pull` (non-positional paths) to `copy` in place, as MongoDB does: a condition
 * with field names or `$or`/`$and`/`$nor` is a query each element (a document) must
 * match, an operator condition applies to the element itself, anything else is an
 * equality. mingo's `$pull` drops nothing for `{ $or: [...] }` (what mongoose sends for
 * `DocumentArray#pull()` of subdocuments without `_id`). Returns the remaining modifier.
 */
export function applyPull(
  copy: Document,
  modifier: Document,
): { modifier: Document; changed: string[] } {
  const pull = modifier['$pull'];
  if (!isPlainObject(pull)) return { modifier, changed: [] };
  const rest: Document = {};
  const changed: string[] = [];
  for (const [path, cond] of Object.entries(pull)) {
    if (path.includes('$')) {
      rest[path] = cond;
      continue;
    }
    const { value } = walk(copy, path);
    if (!Array.isArray(value)) continue;
    let test: (el: unknown) => boolean;
    if (isPlainObject(cond) && isDocumentCondition(cond)) {
      const q = createQuery(cond);
      test = (el) => isPlainObject(el) && q.test(el);
    } else if (isPlainObject(cond) || cond instanceof RegExp) {
      const q = createQuery({ v: cond });
      test = (el) => q.test({ v: el });
    } else {
      const k = keyOf(cond);
      test = (el) => keyOf(el) === k;
    }
    const kept = value.filter((el) => !test(el));
    if (kept.length !== value.length) {
      value.splice(0, value.length, ...kept);
      changed.push(path);
    }
  }
  const out: Document = { ...modifier };
  if (Object.keys(rest).length > 0) out['$pull'] = rest;
  else delete out['$pull'];
  return { modifier: out, changed };
}

/** Paths an update names, with positional parts kept as written. */
function paths(modifier: Document): string[] {
  const out: string[] = [];
  for (const [op, fields] of Object.entries(modifier)) {
    if (!isPlainObject(fields)) continue;
    for (const [path, arg] of Object.entries(fields)) {
      out.push(path);
      if (op === '$rename' && typeof arg === 'string') out.push(arg);
    }
  }
  return out;
}

/** The first pair of paths of which one is the other or lies inside it (MongoDB's code 40), if any. */
export function realConflict(modifier: Document): [string, string] | undefined {
  const all = paths(modifier);
  for (let i = 0; i < all.length; i += 1)
    for (let j = i + 1; j < all.length; j += 1) {
      const a = all[i] as string;
      const b = all[j] as string;
      if (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`))
        return [a, b];
    }
  return undefined;
}
