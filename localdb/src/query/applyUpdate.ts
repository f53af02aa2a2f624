// Internal to localdb: computes a document's new version for update and findAndModify.
import type { Document } from 'bson';
import { cloneDocument } from '../bsonCodec.js';
import { CommandError, ErrorCode, toCommandError } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { keyOf } from '../storage/keyOf.js';
import {
  applyTopLevelUpdate,
  type TrackedUpdate,
} from './applyTopLevelUpdate.js';
import { createAggregator, updateInPlace } from './mingo.js';
import { applyPull, checkUpdateTypes, realConflict } from './updateChecks.js';

/** An update: operators (`{ $set: ... }`), a replacement document, or a pipeline. */
export type UpdateSpec = Document | Document[];

/** Options for applyUpdate. */
export interface ApplyUpdateOptions {
  arrayFilters?: Document[] | undefined;
  /** The filter, which positional `$` updates resolve against. */
  query?: Document | undefined;
  /** The update creates an upserted document, so `$setOnInsert` applies. */
  inserting?: boolean | undefined;
}

/** Reads and validates the `u` of an update statement. */
export function parseUpdateSpec(u: unknown): UpdateSpec {
  if (Array.isArray(u)) {
    if (!u.every(isPlainObject))
      throw new CommandError(
        ErrorCode.FailedToParse,
        'pipeline must be documents',
      );
    return u;
  }
  if (!isPlainObject(u)) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      'Update argument must be either an object or an array',
    );
  }
  return u;
}

/** True if the update uses `$` operators (as opposed to a replacement or pipeline). */
export function isOperatorUpdate(spec: UpdateSpec): spec is Document {
  if (Array.isArray(spec)) return false;
  const keys = Object.keys(spec);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length > 0 && ops.length !== keys.length) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      `Unknown modifier: ${keys.find((k) => !k.startsWith('$')) ?? ''}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  return ops.length > 0;
}

/**
 * Whether an update is only a `$set` of top-level fields (not `_id`): what ingestion's
 * bulk writes, outboxes and most mongoose saves send. Such an update walks no path, so
 * it is applied without mingo, whose per-call set-up costs more than the assignment.
 */
function isTopLevelSet(modifier: Document): modifier is { $set: Document } {
  const ops = Object.keys(modifier);
  if (ops.length !== 1 || ops[0] !== '$set') return false;
  const set = modifier['$set'];
  if (!isPlainObject(set)) return false;
  for (const key of Object.keys(set))
    if (
      key === '' ||
      key === '_id' ||
      key === '__proto__' ||
      key.includes('.') ||
      key.startsWith('$')
    )
      return false;
  return true;
}

/** Puts `_id` first, as MongoDB stores it. */
function idFirst(doc: Document): Document {
  if (Object.keys(doc)[0] === '_id' || doc['_id'] === undefined) return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

function immutableId(): CommandError {
  return new CommandError(
    ErrorCode.ImmutableField,
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}

/**
 * As applyUpdate, and says which top-level fields changed when the update was one
 * of top-level fields (`changed` undefined otherwise: compare the documents). Such an
 * update copies only the document's top level, not the whole document.
 */
export function applyUpdateTracked(
  doc: Document,
  spec: UpdateSpec,
  options: ApplyUpdateOptions = {},
): { doc: Document; changed: ReadonlySet<string> | undefined } {
  if (!Array.isArray(spec) && isOperatorUpdate(spec)) {
    const fast: TrackedUpdate | undefined = applyTopLevelUpdate(
      doc,
      spec,
      options.inserting === true,
    );
    if (fast !== undefined)
      return { doc: idFirst(fast.doc), changed: fast.changed };
  }
  return { doc: applyAnyUpdate(doc, spec, options), changed: undefined };
}

/**
 * Returns the updated version of `doc` (the original is left untouched). Operators and
 * pipelines are mingo's; `$setOnInsert` and replacement are done here because mingo
 * has neither (see the MongoDB CRUD spec on upserts).
 */
export function applyUpdate(
  doc: Document,
  spec: UpdateSpec,
  options: ApplyUpdateOptions = {},
): Document {
  return applyUpdateTracked(doc, spec, options).doc;
}

/** Any update, on a deep copy of `doc` (which mingo's operators change in place). */
function applyAnyUpdate(
  doc: Document,
  spec: UpdateSpec,
  options: ApplyUpdateOptions,
): Document {
  const copy = cloneDocument(doc);
  const hadId = doc['_id'] !== undefined;
  let result: Document;
  try {
    if (Array.isArray(spec)) {
      const [out] = createAggregator(spec).run([copy]);
      result = out ?? copy;
    } else if (isOperatorUpdate(spec)) {
      const modifier: Document = { ...spec };
      const onInsert = modifier['$setOnInsert'];
      delete modifier['$setOnInsert'];
      if (options.inserting === true && isPlainObject(onInsert)) {
        const set = isPlainObject(modifier['$set']) ? modifier['$set'] : {};
        modifier['$set'] = { ...set, ...onInsert };
      }
      for (const [op, arg] of Object.entries(modifier)) {
        if (!isPlainObject(arg)) {
          throw new CommandError(
            ErrorCode.FailedToParse,
            `Modifiers operate on fields but we found type ${Array.isArray(arg) ? 'array' : typeof arg} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(arg)}}`,
          );
        }
        if (Object.keys(arg).length === 0) delete modifier[op];
      }
      // `$set: { _id: <its value> }` changes nothing, and MongoDB accepts it.
      const set = modifier['$set'];
      if (
        hadId &&
        isPlainObject(set) &&
        '_id' in set &&
        keyOf(set['_id']) === keyOf(doc['_id'])
      ) {
        const { _id: _same, ...others } = set;
        modifier['$set'] = others;
        if (Object.keys(others).length === 0) delete modifier['$set'];
      }
      if (isTopLevelSet(modifier)) {
        // No path to walk: assign (a copy of) each value, as mingo's $set would.
        Object.assign(copy, cloneDocument(modifier['$set']));
      } else {
        checkUpdateTypes(copy, modifier);
        const rest = applyPull(copy, modifier).modifier;
        if (Object.keys(rest).length > 0) {
          const arrayFilters = options.arrayFilters ?? [];
          const query = options.query ?? {};
          try {
            updateInPlace(copy, rest, arrayFilters, query);
          } catch (err) {
            if (!/would create a conflict/.test(String(err))) throw err;
            // mingo sees a conflict in two fields of one element ('kids.$.a' and
            // 'kids.$.b', which mongoose's subdocument timestamps send); MongoDB only
            // refuses a path inside another. Disjoint paths apply one at a time alike.
            const conflict = realConflict(rest);
            if (conflict !== undefined)
              throw new CommandError(
                ErrorCode.ConflictingUpdateOperators,
                `Updating the path '${conflict[1]}' would create a conflict at '${conflict[0]}'`,
              );
            for (const [op, fields] of Object.entries(rest))
              for (const [path, arg] of Object.entries(fields as Document))
                updateInPlace(
                  copy,
                  { [op]: { [path]: arg } },
                  arrayFilters,
                  query,
                );
          }
        }
      }
      result = copy;
    } else {
      const { _id, ...rest } = spec as Document;
      if (_id !== undefined && hadId && keyOf(_id) !== keyOf(doc['_id']))
        throw immutableId();
      result = { _id: hadId ? doc['_id'] : _id, ...rest };
      if (result['_id'] === undefined) delete result['_id'];
    }
  } catch (err) {
    // mingo refuses `_id` changes itself, as a plain Error; give it MongoDB's code.
    if (
      !(err instanceof CommandError) &&
      /immutable field '_id'/.test(String(err))
    )
      throw immutableId();
    throw toCommandError(err);
  }
  if (hadId && keyOf(result['_id']) !== keyOf(doc['_id'])) throw immutableId();
  return idFirst(result);
}
