// Internal to localdb: createIndexes, listIndexes, dropIndexes.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { defaultIndexName } from '../storage/Index.js';
import { keyOf } from '../storage/keyOf.js';
import { collectionArg, docsArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';

const createIndexes: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'createIndexes');
  const specs = docsArg(command, 'indexes');
  if (specs.length === 0)
    throw new CommandError(
      ErrorCode.BadValue,
      'Must specify at least one index to create',
    );
  const existed = ctx.store.getCollection(ctx.db, name) !== undefined;
  const coll = ctx.store.ensureCollection(ctx.db, name);
  const numIndexesBefore = coll.indexSpecs().length;
  for (const spec of specs) {
    if (!isPlainObject(spec['key']))
      throw new CommandError(
        ErrorCode.FailedToParse,
        "The 'key' field is a required property of an index specification",
      );
    coll.createIndex(spec);
  }
  const numIndexesAfter = coll.indexSpecs().length;
  const reply: Document = {
    numIndexesBefore,
    numIndexesAfter,
    createdCollectionAutomatically: !existed,
  };
  if (numIndexesAfter === numIndexesBefore)
    reply['note'] = 'all indexes already exist';
  return reply;
};

const listIndexes: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'listIndexes');
  const coll = ctx.store.getCollection(ctx.db, name);
  if (coll === undefined)
    throw new CommandError(
      ErrorCode.NamespaceNotFound,
      `ns does not exist: ${ctx.db}.${name}`,
    );
  const ns = `${ctx.db}.${name}`;
  const { batch, id } = ctx.cursors.open(
    ns,
    coll.indexSpecs(),
    undefined,
    false,
  );
  return { cursor: { firstBatch: batch, id, ns } };
};

const dropIndexes: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'dropIndexes');
  const coll = ctx.store.getCollection(ctx.db, name);
  if (coll === undefined)
    throw new CommandError(
      ErrorCode.NamespaceNotFound,
      `ns not found ${ctx.db}.${name}`,
    );
  const nIndexesWas = coll.indexSpecs().length;
  const which = command['index'];
  if (which === '*') {
    for (const indexName of coll.indexNames()) coll.dropIndex(indexName);
  } else if (typeof which === 'string') {
    coll.dropIndex(which);
  } else if (Array.isArray(which)) {
    for (const indexName of which) coll.dropIndex(String(indexName));
  } else if (isPlainObject(which)) {
    const spec = coll
      .indexSpecs()
      .find((s) => keyOf(s['key']) === keyOf(which));
    if (spec === undefined)
      throw new CommandError(
        ErrorCode.IndexNotFound,
        `can't find index with key: ${defaultIndexName(which)}`,
      );
    coll.dropIndex(String(spec['name']));
  } else {
    throw new CommandError(
      ErrorCode.TypeMismatch,
      "BSON field 'index' must be a string, array or object",
    );
  }
  return { nIndexesWas };
};

/** Index commands, by name. */
export const indexCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
