// Internal to localdb: collMod for what mongoose and the city use (TTL, hidden indexes, validators).
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { keyOf } from '../storage/keyOf.js';
import { collectionArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';

/** Options localdb applies; MongoDB has others (see the refusal below). */
const APPLIED = new Set([
  'collMod',
  'index',
  'validator',
  'validationLevel',
  'validationAction',
  'expireAfterSeconds',
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'writeConcern',
  'comment',
]);

/** Options MongoDB knows that localdb refuses rather than ignores. */
const REFUSED = new Set([
  'changeStreamPreAndPostImages',
  'clusteredIndex',
  'recordPreImages',
  'timeseries',
  'viewOn',
  'pipeline',
  'dryRun',
  'cappedSize',
  'cappedMax',
  'timeseriesBucketsMayHaveMixedSchemaData',
]);

function seconds(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new CommandError(
      ErrorCode.InvalidOptions,
      'expireAfterSeconds must be a non-negative integer',
    );
  return v;
}

/**
 * `collMod`: `index: { keyPattern | name, expireAfterSeconds?, hidden? }`, `validator`,
 * `validationLevel`, `validationAction` (recorded; validators are not enforced) and a
 * time-series collection's `expireAfterSeconds`. Every change is journaled. Other
 * options are refused with code 238 NotImplemented, unknown ones with 40415.
 */
export const collMod: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'collMod');
  for (const key of Object.keys(command)) {
    if (REFUSED.has(key))
      throw new CommandError(
        ErrorCode.NotImplemented,
        `localdb does not support collMod option '${key}' (see docs/localdb.md)`,
      );
    if (!APPLIED.has(key) && !key.startsWith('$'))
      throw new CommandError(
        ErrorCode.Location40415,
        `BSON field 'collMod.${key}' is an unknown field.`,
      );
  }
  const coll = ctx.store.getCollection(ctx.db, name);
  if (coll === undefined)
    throw new CommandError(
      ErrorCode.NamespaceNotFound,
      `ns does not exist: ${ctx.db}.${name}`,
    );
  const reply: Document = {};
  const index = command['index'];
  if (index !== undefined) {
    if (!isPlainObject(index))
      throw new CommandError(
        ErrorCode.TypeMismatch,
        "BSON field 'collMod.index' is the wrong type, expected object",
      );
    const byKey = index['keyPattern'];
    const byName = index['name'];
    const spec = coll
      .indexSpecs()
      .find((s) =>
        byName !== undefined
          ? s['name'] === byName
          : isPlainObject(byKey) && keyOf(s['key']) === keyOf(byKey),
      );
    if (spec === undefined || spec['name'] === '_id_') {
      if (spec !== undefined)
        throw new CommandError(
          ErrorCode.BadValue,
          'cannot modify the _id index',
        );
      throw new CommandError(
        ErrorCode.IndexNotFound,
        `cannot find index ${JSON.stringify(byName ?? byKey)} for ns ${coll.ns}`,
      );
    }
    const next: Document = { ...spec };
    if ('expireAfterSeconds' in index) {
      if (spec['expireAfterSeconds'] === undefined)
        throw new CommandError(
          ErrorCode.InvalidOptions,
          'no expireAfterSeconds field to update',
        );
      reply['expireAfterSeconds_old'] = spec['expireAfterSeconds'];
      next['expireAfterSeconds'] = seconds(index['expireAfterSeconds']);
      reply['expireAfterSeconds_new'] = next['expireAfterSeconds'];
    }
    if ('hidden' in index) {
      if (typeof index['hidden'] !== 'boolean')
        throw new CommandError(
          ErrorCode.TypeMismatch,
          "BSON field 'collMod.index.hidden' is the wrong type, expected boolean",
        );
      reply['hidden_old'] = spec['hidden'] === true;
      if (index['hidden']) next['hidden'] = true;
      else delete next['hidden'];
      reply['hidden_new'] = index['hidden'];
    }
    for (const key of Object.keys(index))
      if (!['keyPattern', 'name', 'expireAfterSeconds', 'hidden'].includes(key))
        throw new CommandError(
          ErrorCode.NotImplemented,
          `localdb does not support collMod index option '${key}'`,
        );
    // Replace the index whole: the journal then holds the new spec like any other.
    coll.dropIndex(String(spec['name']));
    coll.createIndex(next);
  }
  const options: Document = { ...coll.options };
  let changed = false;
  for (const key of ['validator', 'validationLevel', 'validationAction']) {
    if (command[key] === undefined) continue;
    options[key] = command[key];
    changed = true;
  }
  if (command['expireAfterSeconds'] !== undefined) {
    if (!isPlainObject(coll.options['timeseries']))
      throw new CommandError(
        ErrorCode.InvalidOptions,
        'expireAfterSeconds option is only supported on time-series collections',
      );
    options['expireAfterSeconds'] =
      command['expireAfterSeconds'] === 'off'
        ? undefined
        : seconds(command['expireAfterSeconds']);
    if (options['expireAfterSeconds'] === undefined)
      delete options['expireAfterSeconds'];
    changed = true;
  }
  if (changed) coll.setOptions(options);
  return reply;
};
