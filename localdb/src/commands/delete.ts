// Internal to localdb: the delete command.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { parseCollation } from '../query/collation.js';
import { runFind } from '../query/runFind.js';
import { collectionArg, docsArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';
import { writeError } from './writeErrors.js';

/** `delete`: statements `{ q, limit: 0 | 1 }` as a kind-1 sequence (merged into `deletes`) or inline. */
export const deleteCommand: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'delete');
  const statements = docsArg(command, 'deletes');
  const ordered = command['ordered'] !== false;
  const coll = ctx.store.getCollection(ctx.db, name);
  let n = 0;
  const writeErrors: Document[] = [];
  for (const [index, statement] of statements.entries()) {
    try {
      const q = statement['q'];
      if (!isPlainObject(q))
        throw new CommandError(
          ErrorCode.FailedToParse,
          "BSON field 'delete.deletes.q' is missing or not an object",
        );
      const limit = statement['limit'] === 1 ? 1 : 0;
      const matches = runFind(coll, q, {
        limit,
        collation: parseCollation(statement['collation']),
      });
      for (const doc of matches) coll?.remove(doc);
      n += matches.length;
    } catch (err) {
      writeErrors.push(writeError(index, err));
      if (ordered) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors } : { n };
};
