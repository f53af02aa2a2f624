// Internal to localdb: the update command, including upserts.
import { ObjectId, type Document } from 'bson';
import { encodeDocument } from '../bsonCodec.js';
import { CommandError, ErrorCode, toCommandError } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import {
  applyUpdate,
  applyUpdateTracked,
  parseUpdateSpec,
} from '../query/applyUpdate.js';
import { parseCollation } from '../query/collation.js';
import { runFind } from '../query/runFind.js';
import { upsertSeed } from '../query/upsertSeed.js';
import type { Collection } from '../storage/Collection.js';
import { checkTimeSeriesUpdate, timeSeriesOf } from '../storage/timeSeries.js';
import { collectionArg, docsArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';
import { writeError } from './writeErrors.js';

/** Outcome of one update statement. */
export interface StatementResult {
  matched: number;
  modified: number;
  upsertedId?: unknown;
}

/** True if two versions of a document are byte-identical in BSON (a no-op update). */
export function sameDocument(a: Document, b: Document): boolean {
  return Buffer.from(encodeDocument(a)).equals(encodeDocument(b));
}

/**
 * The `_id` of a filter that is exactly `{ _id: <string, finite number or ObjectId> }`,
 * the only field: such a filter matches the one document with that `_id` whatever the
 * collection holds (no operators, no collation, no type to bracket).
 */
function plainIdOf(q: Document): { id: unknown } | undefined {
  let id: unknown;
  let n = 0;
  for (const key in q) {
    if (key !== '_id' || (n += 1) > 1) return undefined;
    id = q[key];
  }
  if (n !== 1) return undefined;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))
    return { id };
  if (id instanceof ObjectId) return { id };
  return undefined;
}

/**
 * Runs one update statement `{ q, u, upsert, multi, arrayFilters, sort }`. The counts
 * (`n`, `nModified`) and upsert are computed here because mingo does not provide them.
 */
export function runUpdateStatement(
  coll: Collection,
  statement: Document,
): StatementResult {
  const q = statement['q'];
  if (!isPlainObject(q))
    throw new CommandError(
      ErrorCode.FailedToParse,
      "BSON field 'update.updates.q' is missing or not an object",
    );
  const spec = parseUpdateSpec(statement['u']);
  const multi = statement['multi'] === true;
  const upsert = statement['upsert'] === true;
  const arrayFilters = Array.isArray(statement['arrayFilters'])
    ? (statement['arrayFilters'] as Document[])
    : undefined;
  if (
    multi &&
    !Array.isArray(spec) &&
    Object.keys(spec).length > 0 &&
    !Object.keys(spec)[0]?.startsWith('$')
  ) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      'multi update is not supported for replacement-style update',
    );
  }
  const ts = timeSeriesOf(coll.options);
  if (ts !== undefined)
    checkTimeSeriesUpdate(ts, {
      query: q,
      update: statement['u'],
      multi,
      upsert,
    });
  const sort = isPlainObject(statement['sort']) ? statement['sort'] : undefined;
  const collation = parseCollation(statement['collation']);
  const byId =
    ts === undefined && collation === undefined ? plainIdOf(q) : undefined;
  // `{ _id: <value> }` (every upsert ingestion sends) is the document under that key,
  // as the planner's _id lookup would find it, without planning a find for it.
  const matches =
    byId === undefined
      ? runFind(coll, q, { sort, limit: multi ? 0 : 1, collation })
      : coll.docsById(byId.id);
  if (matches.length === 0) {
    if (!upsert) return { matched: 0, modified: 0 };
    const doc = coll.insert(
      applyUpdate(upsertSeed(q), spec, { arrayFilters, inserting: true }),
    );
    return { matched: 0, modified: 0, upsertedId: doc['_id'] };
  }
  let modified = 0;
  for (const old of matches) {
    const { doc: next, changed } = applyUpdateTracked(old, spec, {
      arrayFilters,
      query: q,
    });
    // A top-level update says what it changed; anything else is compared whole.
    if (changed === undefined ? sameDocument(old, next) : changed.size === 0)
      continue;
    coll.replace(old, next, changed);
    modified += 1;
  }
  return { matched: matches.length, modified };
}

/** `update`: statements come as a kind-1 sequence (merged into `updates`) or inline. */
export const update: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'update');
  const statements = docsArg(command, 'updates');
  const ordered = command['ordered'] !== false;
  const coll = ctx.store.ensureCollection(ctx.db, name);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors: Document[] = [];
  for (const [index, statement] of statements.entries()) {
    try {
      const r = runUpdateStatement(coll, statement);
      if (r.upsertedId !== undefined) {
        upserted.push({ index, _id: r.upsertedId });
        n += 1;
      } else {
        n += r.matched;
        nModified += r.modified;
      }
    } catch (err) {
      writeErrors.push(writeError(index, toCommandError(err)));
      if (ordered) break;
    }
  }
  const reply: Document = { n, nModified };
  if (upserted.length > 0) reply['upserted'] = upserted;
  if (writeErrors.length > 0) reply['writeErrors'] = writeErrors;
  return reply;
};
