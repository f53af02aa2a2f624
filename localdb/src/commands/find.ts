// Internal to localdb: find, getMore and killCursors.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { parseCollation } from '../query/collation.js';
import { runFindSteps } from '../query/runFind.js';
import { collectionArg, docArg, intArg } from './args.js';
import type { CommandContext, CommandHandler } from './CommandContext.js';

/** `find` with filter, sort, projection, skip, limit, batchSize, singleBatch. */
export const find: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'find');
  const limit = intArg(command, 'limit') ?? 0;
  const docs = runFindSteps(
    ctx.store.getCollection(ctx.db, name),
    docArg(command, 'filter') ?? {},
    {
      sort: docArg(command, 'sort'),
      projection: docArg(command, 'projection'),
      skip: intArg(command, 'skip'),
      limit,
      hint: command['hint'],
      collation: parseCollation(command['collation']),
      variables: docArg(command, 'let'),
    },
  );
  // A short find answers in this turn; a long one pauses and answers later.
  return docs instanceof Promise
    ? docs.then((found) => firstBatch(command, ctx, name, limit, found))
    : firstBatch(command, ctx, name, limit, docs);
};

function firstBatch(
  command: Document,
  ctx: CommandContext,
  name: string,
  limit: number,
  docs: Document[],
): Document {
  const ns = `${ctx.db}.${name}`;
  let batchSize = intArg(command, 'batchSize');
  if (batchSize !== undefined && batchSize < 0) {
    throw new CommandError(
      ErrorCode.BadValue,
      "BSON field 'batchSize' value must be >= 0",
    );
  }
  // A negative limit asks for one batch of at most |limit| documents (legacy semantics).
  const singleBatch = command['singleBatch'] === true || limit < 0;
  if (limit < 0) batchSize = Math.abs(limit);
  const { batch, id } = ctx.cursors.open(ns, docs, batchSize, singleBatch);
  return { cursor: { firstBatch: batch, id, ns } };
}

/** `getMore`: the next batch of a cursor from find, aggregate or listIndexes. */
export const getMore: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'collection');
  const ns = `${ctx.db}.${name}`;
  const batchSize = intArg(command, 'batchSize');
  const { batch, id } = ctx.cursors.getMore(
    command['getMore'],
    ns,
    batchSize === 0 ? undefined : batchSize,
  );
  return { cursor: { nextBatch: batch, id, ns } };
};

/** `killCursors`. */
export const killCursors: CommandHandler = (command, ctx) => {
  collectionArg(command, 'killCursors');
  const ids = command['cursors'];
  if (!Array.isArray(ids))
    throw new CommandError(
      ErrorCode.TypeMismatch,
      "BSON field 'cursors' must be an array",
    );
  const { killed, notFound } = ctx.cursors.kill(ids);
  return {
    cursorsKilled: killed,
    cursorsNotFound: notFound,
    cursorsAlive: [],
    cursorsUnknown: [],
  };
};
