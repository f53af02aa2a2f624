// Internal to localdb: the insert command.
import type { Document } from 'bson';
import { collectionArg, docsArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';
import { takeWireBytes } from '../wire/parseRequest.js';
import { writeError } from './writeErrors.js';

/**
 * `insert`: documents come as a kind-1 sequence (merged into `documents`) or inline; a
 * sequence's documents are journaled as the bytes they came in.
 */
export const insert: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'insert');
  const docs = docsArg(command, 'documents');
  const ordered = command['ordered'] !== false;
  const coll = ctx.store.ensureCollection(ctx.db, name);
  let n = 0;
  const writeErrors: Document[] = [];
  for (const [i, doc] of docs.entries()) {
    try {
      coll.insert(doc, takeWireBytes(doc));
      n += 1;
    } catch (err) {
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors } : { n };
};
