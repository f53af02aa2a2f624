// Internal to localdb: the write-error entries of insert/update/delete replies.
import type { Document } from 'bson';
import { toCommandError } from '../errors.js';

/** A write error entry `{ index, code, errmsg, ... }` for statement `index`. */
export function writeError(index: number, err: unknown): Document {
  const e = toCommandError(err);
  return {
    index,
    code: e.code,
    codeName: e.codeName,
    errmsg: e.message,
    ...e.details,
  };
}
