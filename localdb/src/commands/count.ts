// Internal to localdb: count and distinct.
import type { Document } from 'bson';
import { toCommandError } from '../errors.js';
import { parseCollation } from '../query/collation.js';
import { runFindAsync } from '../query/runFind.js';
import { fieldValues } from '../storage/fieldValues.js';
import { keyOf } from '../storage/keyOf.js';
import { collectionArg, docArg, intArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';

/** `count` (used by estimatedDocumentCount) with query, skip, limit. */
export const count: CommandHandler = async (command, ctx) => {
  const name = collectionArg(command, 'count');
  const coll = ctx.store.getCollection(ctx.db, name);
  const query = docArg(command, 'query') ?? {};
  const skip = intArg(command, 'skip') ?? 0;
  const limit = Math.abs(intArg(command, 'limit') ?? 0);
  let n: number;
  if (Object.keys(query).length === 0) {
    n = Math.max(0, (coll?.size ?? 0) - skip);
    if (limit > 0) n = Math.min(n, limit);
  } else {
    n = (
      await runFindAsync(coll, query, {
        skip,
        limit,
        collation: parseCollation(command['collation']),
      })
    ).length;
  }
  return { n };
};

/** `distinct`: distinct values of a field, array values unwound as MongoDB does. */
export const distinct: CommandHandler = async (command, ctx) => {
  const name = collectionArg(command, 'distinct');
  const key = command['key'];
  if (typeof key !== 'string')
    throw toCommandError(new Error("BSON field 'key' must be a string"));
  const docs = await runFindAsync(
    ctx.store.getCollection(ctx.db, name),
    docArg(command, 'query') ?? {},
    { collation: parseCollation(command['collation']) },
  );
  const seen = new Map<string, unknown>();
  for (const doc of docs) {
    for (const v of fieldValues(doc as Document, key)) {
      if (v === undefined) continue;
      const k = keyOf(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  return { values: [...seen.values()] };
};
