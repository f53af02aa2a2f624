// Internal to localdb: database and collection commands.
import { Long, calculateObjectSize, type Document } from 'bson';
import { createQuery } from '../query/mingo.js';
import { normalizeCreateOptions, timeSeriesOf } from '../storage/timeSeries.js';
import { CommandError, ErrorCode } from '../errors.js';
import { GENERIC_FIELDS, collectionArg, docArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';

const listDatabases: CommandHandler = (command, ctx) => {
  const filter = docArg(command, 'filter');
  const query = filter === undefined ? undefined : createQuery(filter);
  let totalSize = 0;
  const databases: Document[] = [];
  for (const name of ctx.store.databaseNames()) {
    let sizeOnDisk = 0;
    for (const coll of ctx.store.collections(name)) {
      for (const doc of coll.values()) sizeOnDisk += calculateObjectSize(doc);
    }
    const entry: Document =
      command['nameOnly'] === true
        ? { name }
        : { name, sizeOnDisk, empty: sizeOnDisk === 0 };
    if (query !== undefined && !query.test(entry)) continue;
    totalSize += sizeOnDisk;
    databases.push(entry);
  }
  return command['nameOnly'] === true
    ? { databases }
    : { databases, totalSize, totalSizeMb: Math.round(totalSize / 1e6) };
};

const listCollections: CommandHandler = (command, ctx) => {
  const filter = docArg(command, 'filter');
  const query = filter === undefined ? undefined : createQuery(filter);
  const nameOnly = command['nameOnly'] === true;
  const firstBatch: Document[] = [];
  for (const coll of ctx.store.collections(ctx.db)) {
    const timeSeries = timeSeriesOf(coll.options) !== undefined;
    const type = timeSeries ? 'timeseries' : 'collection';
    const entry: Document = nameOnly
      ? { name: coll.name, type }
      : {
          name: coll.name,
          type,
          options: coll.options,
          info: { readOnly: false },
          // A time-series collection has no _id index in MongoDB either.
          ...(timeSeries
            ? {}
            : { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } }),
        };
    if (query === undefined || query.test(entry)) firstBatch.push(entry);
  }
  return {
    cursor: { id: Long.ZERO, ns: `${ctx.db}.$cmd.listCollections`, firstBatch },
  };
};

const create: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'create');
  const options: Document = {};
  for (const [k, v] of Object.entries(command)) {
    if (k !== 'create' && !GENERIC_FIELDS.has(k)) options[k] = v;
  }
  if (options['viewOn'] !== undefined) {
    throw new CommandError(
      ErrorCode.NotImplemented,
      'localdb does not support views',
    );
  }
  const normalized = normalizeCreateOptions(options);
  const coll = ctx.store.createCollection(ctx.db, name, normalized);
  const ts = timeSeriesOf(normalized);
  // As MongoDB 6.3+: a time-series collection gets an index on its meta and time fields.
  if (ts?.metaField !== undefined) {
    coll.createIndex({
      key: { [ts.metaField]: 1, [ts.timeField]: 1 },
      name: `${ts.metaField}_1_${ts.timeField}_1`,
    });
  }
  return {};
};

const drop: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'drop');
  const coll = ctx.store.getCollection(ctx.db, name);
  if (coll === undefined)
    throw new CommandError(ErrorCode.NamespaceNotFound, 'ns not found');
  const nIndexesWas = coll.indexSpecs().length;
  ctx.store.dropCollection(ctx.db, name);
  return { nIndexesWas, ns: coll.ns };
};

const dropDatabase: CommandHandler = (_command, ctx) => {
  ctx.store.dropDatabase(ctx.db);
  return { dropped: ctx.db };
};

const collStats: CommandHandler = (command, ctx) => {
  const name = collectionArg(command, 'collStats');
  const coll = ctx.store.getCollection(ctx.db, name);
  let size = 0;
  for (const doc of coll?.values() ?? []) size += calculateObjectSize(doc);
  const count = coll?.size ?? 0;
  return {
    ns: `${ctx.db}.${name}`,
    count,
    size,
    avgObjSize: count === 0 ? 0 : size / count,
    storageSize: size,
    nindexes: coll?.indexSpecs().length ?? 0,
  };
};

const dbStats: CommandHandler = (_command, ctx) => {
  const colls = ctx.store.collections(ctx.db);
  let objects = 0;
  let dataSize = 0;
  for (const coll of colls) {
    objects += coll.size;
    for (const doc of coll.values()) dataSize += calculateObjectSize(doc);
  }
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    dataSize,
    storageSize: dataSize,
    indexes: colls.reduce((n, c) => n + c.indexSpecs().length, 0),
  };
};

/** Commands on databases and collections as a whole, by name. */
export const namespaceCommands: Record<string, CommandHandler> = {
  listDatabases,
  listCollections,
  create,
  drop,
  dropDatabase,
  collStats,
  dbStats,
};
