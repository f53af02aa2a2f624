// Internal to localdb: routes a command document to its handler and shapes the reply.
import type { Document } from 'bson';
import { CommandError, ErrorCode, toCommandError } from '../errors.js';
import { adminCommands } from './admin.js';
import { aggregate } from './aggregate.js';
import type { CommandContext, CommandHandler } from './CommandContext.js';
import { collMod } from './collMod.js';
import { count, distinct } from './count.js';
import { deleteCommand } from './delete.js';
import { explain } from './explain.js';
import { find, getMore, killCursors } from './find.js';
import { findAndModify } from './findAndModify.js';
import { indexCommands } from './indexes.js';
import { insert } from './insert.js';
import { namespaceCommands } from './namespaces.js';
import { update } from './update.js';

const handlers = new Map<string, CommandHandler>(
  Object.entries({
    ...adminCommands,
    ...namespaceCommands,
    ...indexCommands,
    insert,
    update,
    delete: deleteCommand,
    find,
    getMore,
    killCursors,
    findAndModify,
    findandmodify: findAndModify,
    count,
    distinct,
    aggregate,
    explain,
    collMod,
  }),
);

/** Names of the commands localdb answers. */
export const supportedCommands: readonly string[] = [...handlers.keys()];

/**
 * Runs one command and returns its reply, `{ ..., ok: 1 }` or `{ ok: 0, errmsg, code, codeName }`.
 * Never throws: a handler failure becomes an error reply, because a request left
 * without a reply leaves the driver waiting forever. Journal writes of the command
 * are written before this returns, and the reply waits for their fsync, so an
 * acknowledged write is durable.
 */
export function dispatch(
  command: Document,
  ctx: CommandContext,
): Document | Promise<Document> {
  let result: Document | Promise<Document>;
  try {
    const name = Object.keys(command)[0];
    if (name === undefined)
      throw new CommandError(ErrorCode.FailedToParse, 'empty command document');
    // A standalone refuses transactions; do the same so code needing them fails here too.
    if (
      command['txnNumber'] !== undefined ||
      command['startTransaction'] !== undefined ||
      command['autocommit'] !== undefined
    ) {
      throw new CommandError(
        ErrorCode.IllegalOperation,
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
    }
    const handler = handlers.get(name);
    if (handler === undefined) {
      throw new CommandError(
        ErrorCode.CommandNotFound,
        `no such command: '${name}'`,
      );
    }
    result = handler(command, ctx);
  } catch (err) {
    return finish(failure(err, ctx), ctx);
  }
  // A write handler answers synchronously: its journal record is written before anything
  // else runs. A read may answer later, having paused to let other connections in.
  if (result instanceof Promise)
    return result.then(
      (reply) => finish({ ...reply, ok: 1 }, ctx),
      (err: unknown) => finish(failure(err, ctx), ctx),
    );
  return finish({ ...result, ok: 1 }, ctx);
}

function failure(err: unknown, ctx: CommandContext): Document {
  if (!(err instanceof CommandError))
    ctx.logger.warn({ err }, 'localdb: command failed');
  return { ok: 0, ...toCommandError(err).toReplyFields() };
}

/**
 * Writes the command's journal ops, then answers once they are durable: the reply
 * waits for the fsync the command shares with the others written in the same turn.
 */
function finish(
  result: Document,
  ctx: CommandContext,
): Document | Promise<Document> {
  const failed = (err: unknown, what: string): Document => {
    ctx.logger.error({ err }, `localdb: journal ${what} failed`);
    return {
      ok: 0,
      ...new CommandError(
        ErrorCode.InternalError,
        `journal ${what} failed: ${(err as Error).message}`,
      ).toReplyFields(),
    };
  };
  let durable: Promise<void> | undefined;
  try {
    durable = ctx.store.flush();
  } catch (err) {
    return failed(err, 'write');
  }
  if (durable === undefined) return result;
  return durable.then(
    () => result,
    (err: unknown) => failed(err, 'fsync'),
  );
}
