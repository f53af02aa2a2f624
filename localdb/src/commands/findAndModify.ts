// Internal to localdb: the findAndModify command (findOneAndUpdate/Replace/Delete).
import type { Document } from 'bson';
import { CommandError, ErrorCode, toCommandError } from '../errors.js';
import { applyUpdate, parseUpdateSpec } from '../query/applyUpdate.js';
import { createQuery } from '../query/mingo.js';
import { isPlainObject } from '../isPlainObject.js';
import { parseCollation } from '../query/collation.js';
import { runFind } from '../query/runFind.js';
import { upsertSeed } from '../query/upsertSeed.js';
import { checkTimeSeriesUpdate, timeSeriesOf } from '../storage/timeSeries.js';
import { collectionArg, docArg, docsArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';
import { sameDocument } from './update.js';

function project(
  doc: Document | null,
  fields: Document | undefined,
): Document | null {
  if (doc === null || fields === undefined || Object.keys(fields).length === 0)
    return doc;
  try {
    return (
      (createQuery({}, fields).find([doc], fields).next() as
        Document | undefined) ?? null
    );
  } catch (err) {
    throw toCommandError(err);
  }
}

/** `findAndModify` with query, sort, remove, update, new, fields, upsert, arrayFilters. */
export const findAndModify: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'findAndModify');
  const query = docArg(command, 'query') ?? {};
  const sort = docArg(command, 'sort');
  const fields = docArg(command, 'fields');
  const remove = command['remove'] === true;
  const returnNew = command['new'] === true;
  const upsert = command['upsert'] === true;
  const arrayFilters =
    command['arrayFilters'] === undefined
      ? undefined
      : docsArg(command, 'arrayFilters');
  if (remove && command['update'] !== undefined) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      'Cannot specify both an update and remove=true',
    );
  }
  if (!remove && command['update'] === undefined) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      'Either an update or remove=true must be specified',
    );
  }
  if (remove && upsert) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      'Cannot specify both upsert=true and remove=true',
    );
  }
  const coll = remove
    ? ctx.store.getCollection(ctx.db, name)
    : ctx.store.ensureCollection(ctx.db, name);
  // An update of one document: a time-series collection refuses it as it
  // refuses a non-multi update (a delete of one is accepted, as from 7.0).
  const ts = coll === undefined ? undefined : timeSeriesOf(coll.options);
  if (ts !== undefined && !remove)
    checkTimeSeriesUpdate(ts, {
      query,
      update: command['update'],
      multi: false,
      upsert,
    });
  const [old] = runFind(coll, query, {
    sort,
    limit: 1,
    collation: parseCollation(command['collation']),
    variables: isPlainObject(command['let']) ? command['let'] : undefined,
  });
  if (remove) {
    if (old === undefined || coll === undefined)
      return { lastErrorObject: { n: 0 }, value: null };
    coll.remove(old);
    return { lastErrorObject: { n: 1 }, value: project(old, fields) };
  }
  if (coll === undefined)
    throw new CommandError(ErrorCode.InternalError, 'collection missing');
  const spec = parseUpdateSpec(command['update']);
  if (old === undefined) {
    if (!upsert)
      return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
    const doc = coll.insert(
      applyUpdate(upsertSeed(query), spec, { arrayFilters, inserting: true }),
    );
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc['_id'] },
      value: returnNew ? project(doc, fields) : null,
    };
  }
  const next = applyUpdate(old, spec, { arrayFilters, query });
  if (!sameDocument(old, next)) coll.replace(old, next);
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: project(returnNew ? next : old, fields),
  };
};
