// Internal to localdb: reading typed command arguments.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';

/** The collection name a command names as its first field's value. */
export function collectionArg(command: Document, name: string): string {
  const value = command[name];
  if (typeof value !== 'string' || value === '') {
    throw new CommandError(
      ErrorCode.InvalidNamespace,
      `collection name has invalid type ${typeof value}`,
    );
  }
  return value;
}

/** An optional document argument. */
export function docArg(command: Document, name: string): Document | undefined {
  const value = command[name];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new CommandError(
      ErrorCode.TypeMismatch,
      `BSON field '${name}' is the wrong type, expected object`,
    );
  }
  return value;
}

/** An optional array-of-documents argument. */
export function docsArg(command: Document, name: string): Document[] {
  const value = command[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isPlainObject)) {
    throw new CommandError(
      ErrorCode.TypeMismatch,
      `BSON field '${name}' is the wrong type, expected array of objects`,
    );
  }
  return value;
}

/** An optional non-negative integer argument. */
export function intArg(command: Document, name: string): number | undefined {
  const value = command[name];
  if (value === undefined || value === null) return undefined;
  const n =
    typeof value === 'object' &&
    typeof (value as { toNumber?: unknown }).toNumber === 'function'
      ? (value as { toNumber(): number }).toNumber()
      : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new CommandError(
      ErrorCode.TypeMismatch,
      `BSON field '${name}' is the wrong type, expected a number`,
    );
  }
  return Math.trunc(n);
}

/** Fields any command may carry that are not its own arguments. */
export const GENERIC_FIELDS: ReadonlySet<string> = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  'writeConcern',
  'readConcern',
  '$readPreference',
  '$clusterTime',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'comment',
  'maxTimeMS',
]);
