/**
 * The departments' raw readings as MongoDB time-series collections
 * (docs/ingestion.md, "Raw readings"): the options every reading model
 * declares (time field `observedAt`, meta field `device` = `{ id, district }`,
 * a granularity per quantity, raw retention as `expireAfterSeconds`), the
 * start-up check that the collection really is one (and its retention
 * current), and reads by reading id that use the series' indexes.
 * See https://www.mongodb.com/docs/manual/core/timeseries-collections/
 */
import {
  readingIdFilter,
  repairReadingKeys,
  type ReadingKeysCollection,
  type ReadingsCollection,
} from '../ingest/storeObservations.js';
import type { Logger } from '../runtime/logger.js';
import { isDistrictCode } from './districts.js';
import { createByKeyLoader } from './loaders.js';

/**
 * The series a reading belongs to (the collection's meta field): the device
 * that observed it and the district it stands in. The same sub-fields in
 * every department, so lib code (dedupe, rollups) reads `device.id` and
 * `device.district` whatever the quantity.
 */
export interface ReadingDevice {
  /** The sensor's, station's or meter's graph id. */
  id: string;
  /** INSEE code, denormalized from the device for district queries. */
  district: string;
}

/** The time field of every reading collection. */
export const READING_TIME_FIELD = 'observedAt';
/** The meta field of every reading collection. */
export const READING_META_FIELD = 'device';

/** Mongoose definition of the `device` meta field ({@link ReadingDevice}). */
export const readingDeviceDefinition = {
  id: { type: String, required: true },
  district: {
    type: String,
    required: true,
    validate: {
      validator: isDistrictCode,
      message: 'device.district must be an INSEE code from 13201 to 13216',
    },
  },
} as const;

/**
 * The indexes every reading collection declares: a device's readings and a
 * district's readings, newest first (MongoDB builds them on the buckets'
 * meta and time bounds).
 */
export const READING_INDEXES: readonly Record<string, 1 | -1>[] = [
  { 'device.id': 1, observedAt: -1 },
  { 'device.district': 1, observedAt: -1 },
];

/**
 * How close in time a device's readings come: MongoDB sizes its buckets by it
 * (`minutes`: a bucket spans up to a day; `hours`: up to 30 days).
 */
export type ReadingGranularity = 'seconds' | 'minutes' | 'hours';

/** What a department decides about one reading collection. */
export interface ReadingSeriesOptions {
  /** The collection's name, e.g. `traffic_flow_readings`. */
  readonly collection: string;
  /** See {@link ReadingGranularity}; docs/ingestion.md says which quantity has which, and why. */
  readonly granularity: ReadingGranularity;
  /** Days a raw reading is kept (config `readings.rawRetentionDays`). */
  readonly rawRetentionDays: number;
}

/** Seconds in `days` days. */
export function daysToSeconds(days: number): number {
  return Math.round(days * 86_400);
}

/**
 * The mongoose schema options of a reading collection: mongoose creates the
 * collection with them (`autoCreate`) before the model's first write, as a
 * time-series collection whose measurements MongoDB removes once
 * `observedAt` is older than the raw retention.
 */
export function readingSeriesSchemaOptions(options: ReadingSeriesOptions) {
  return {
    collection: options.collection,
    versionKey: false as const,
    autoCreate: true,
    timeseries: {
      timeField: READING_TIME_FIELD,
      metaField: READING_META_FIELD,
      granularity: options.granularity,
    },
    expireAfterSeconds: daysToSeconds(options.rawRetentionDays),
  };
}

/** The part of a mongoose Model {@link ensureReadingSeries} uses. */
export interface ReadingSeriesModel {
  readonly collection: { readonly collectionName: string };
  readonly schema: {
    readonly options: {
      readonly timeseries?: {
        timeField: string;
        metaField?: string;
        granularity?: string;
      };
      readonly expireAfterSeconds?: number;
    };
  };
  readonly db: { readonly db?: SeriesDb | undefined };
  init(): Promise<unknown>;
  createCollection(): Promise<unknown>;
}

/** The part of a driver Db the check uses. */
export interface SeriesDb {
  listCollections(filter: { name: string }): {
    toArray(): Promise<{ name: string; type?: string; options?: unknown }[]>;
  };
  command(command: Record<string, unknown>): Promise<unknown>;
}

/** What {@link ensureReadingSeries} found. */
export type ReadingSeriesState =
  /** A time-series collection with the model's options (retention updated if it had changed). */
  | 'time-series'
  /** A plain collection from before time-series storage: it keeps working, without TTL (logged as an error). */
  | 'plain';

const ensured = new WeakMap<object, Promise<ReadingSeriesState>>();

/**
 * Makes sure a reading model's collection exists as the time-series
 * collection its schema declares, once per model (every later call gets the
 * same answer; a failed check is retried on the next call):
 * - missing: mongoose creates it with the schema's options;
 * - a time-series collection whose `expireAfterSeconds` differs from the
 *   configured retention: `collMod` sets it (logged);
 * - a time-series collection with another granularity: logged (MongoDB only
 *   lets it grow, with `collMod`; the readings are stored either way);
 * - a plain collection (a deployment from before time-series storage):
 *   logged as an error saying what to do; readings are still stored in it
 *   and deduplicated, but nothing expires. It is not converted here: MongoDB
 *   cannot convert a collection in place (docs/ingestion.md, "Raw readings").
 * Call it before the first write (the ingest handlers and seeds do).
 */
export function ensureReadingSeries(
  model: ReadingSeriesModel,
  logger: Logger,
): Promise<ReadingSeriesState> {
  let pending = ensured.get(model);
  if (pending === undefined) {
    pending = checkReadingSeries(model, logger);
    ensured.set(model, pending);
    pending.catch(() => ensured.delete(model));
  }
  return pending;
}

async function checkReadingSeries(
  model: ReadingSeriesModel,
  logger: Logger,
): Promise<ReadingSeriesState> {
  const name = model.collection.collectionName;
  const declared = model.schema.options.timeseries;
  const expire = model.schema.options.expireAfterSeconds;
  if (declared === undefined)
    throw new Error(`${name}: the model declares no time-series options`);
  // Creates the collection (autoCreate) and its indexes.
  await model.init();
  const db = model.db.db;
  if (db === undefined) throw new Error(`${name}: not connected`);
  let [info] = await db.listCollections({ name }).toArray();
  if (info === undefined) {
    await model.createCollection();
    [info] = await db.listCollections({ name }).toArray();
  }
  if (info?.type !== 'timeseries') {
    logger.error(
      { collection: name },
      `${name} is a plain collection, not a time-series collection: readings are stored and deduplicated, but raw retention (TTL) does not apply and storage is not bucketed. Migrate it as docs/ingestion.md ("Raw readings", "An existing plain collection") says.`,
    );
    return 'plain';
  }
  const options = (info.options ?? {}) as {
    timeseries?: {
      timeField?: string;
      metaField?: string;
      granularity?: string;
    };
    expireAfterSeconds?: number;
  };
  const stored = options.timeseries ?? {};
  if (
    stored.timeField !== declared.timeField ||
    stored.metaField !== declared.metaField
  )
    throw new Error(
      `${name} is a time-series collection on ${String(stored.timeField)}/${String(stored.metaField)}, not ${declared.timeField}/${String(declared.metaField)}: readings cannot be stored in it`,
    );
  if (
    declared.granularity !== undefined &&
    stored.granularity !== declared.granularity
  )
    logger.warn(
      {
        collection: name,
        granularity: stored.granularity,
        declared: declared.granularity,
      },
      `${name} keeps granularity ${String(stored.granularity)} (the model declares ${declared.granularity}); readings are stored either way`,
    );
  if (expire !== undefined && options.expireAfterSeconds !== expire) {
    await db.command({ collMod: name, expireAfterSeconds: expire });
    logger.info(
      {
        collection: name,
        expireAfterSeconds: expire,
        was: options.expireAfterSeconds ?? null,
      },
      `${name}: raw retention set to ${expire / 86_400} days`,
    );
  }
  return 'time-series';
}

/** The minimal model surface {@link createReadingByIdLoader} needs (a mongoose Model satisfies it). */
export interface FindableReadings {
  find(filter: ReturnType<typeof readingIdFilter>): {
    lean(): { exec(): Promise<unknown> };
  };
}

/** A loader of readings by id: one `find` per batch through the series index, `null` for a missing id. */
export function createReadingByIdLoader<V extends { _id: string }>(
  model: FindableReadings,
) {
  return createByKeyLoader<string, V>(
    async (ids) =>
      (await model.find(readingIdFilter(ids)).lean().exec()) as V[],
    (doc) => doc._id,
  );
}

/** The part of a mongoose Model of the `reading_keys` ledger {@link prepareReadingStorage} uses. */
export interface ReadingKeysModel {
  readonly collection: ReadingKeysCollection & {
    readonly collectionName: string;
    listIndexes(): {
      toArray(): Promise<{ key: unknown; expireAfterSeconds?: number }[]>;
    };
    createIndex(
      key: Record<string, 1>,
      options: { expireAfterSeconds: number },
    ): Promise<unknown>;
  };
  readonly schema: {
    indexes(): [Record<string, unknown>, Record<string, unknown>][];
  };
  readonly db: { readonly db?: SeriesDb | undefined };
  init(): Promise<unknown>;
}

const ledgers = new WeakMap<object, Promise<void>>();
const prepared = new WeakMap<object, Promise<void>>();

/** Memoizes `run` per `key` until it fails. */
function once(
  memo: WeakMap<object, Promise<void>>,
  key: object,
  run: () => Promise<void>,
): Promise<void> {
  let pending = memo.get(key);
  if (pending === undefined) {
    pending = run();
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  }
  return pending;
}

/** Error codes of createIndex when an index on the same key exists with other options. */
const INDEX_CONFLICT = new Set([85, 86]);

/** The ledger exists with its TTL index at the configured retention (`collMod` when it changed). */
async function checkKeyLedger(
  model: ReadingKeysModel,
  logger: Logger,
): Promise<void> {
  const name = model.collection.collectionName;
  try {
    await model.init();
  } catch (error) {
    // The TTL index exists from another retention: set below.
    if (!INDEX_CONFLICT.has(Number((error as { code?: unknown }).code)))
      throw error;
  }
  const declared = model.schema
    .indexes()
    .find(([key]) => Object.keys(key).join() === 'receivedAt')?.[1][
    'expireAfterSeconds'
  ];
  if (typeof declared !== 'number')
    throw new Error(`${name}: the model declares no TTL on receivedAt`);
  const existing = (await model.collection.listIndexes().toArray()).find(
    (index) => Object.keys(index.key as object).join() === 'receivedAt',
  );
  if (existing === undefined) {
    await model.collection.createIndex(
      { receivedAt: 1 },
      { expireAfterSeconds: declared },
    );
  } else if (existing.expireAfterSeconds !== declared) {
    const db = model.db.db;
    if (db === undefined) throw new Error(`${name}: not connected`);
    await db.command({
      collMod: name,
      index: { keyPattern: { receivedAt: 1 }, expireAfterSeconds: declared },
    });
    logger.info(
      { collection: name, expireAfterSeconds: declared },
      `${name}: key TTL set to ${declared / 86_400} days`,
    );
  }
}

/** Options of {@link prepareReadingStorage}. */
export interface PrepareReadingStorageOptions {
  /** The reading model (a time-series collection). */
  readonly readings: ReadingSeriesModel & {
    readonly collection: ReadingsCollection;
  };
  /** The department's `reading_keys` model. */
  readonly keys: ReadingKeysModel;
  readonly logger: Logger;
}

/**
 * Everything a reading collection needs before its first write, once per
 * process (a failure is retried on the next call): the time-series check
 * ({@link ensureReadingSeries}), the ledger and its TTL, and the removal of
 * the orphan keys a crash may have left (lib/ingest/storeObservations.ts
 * `repairReadingKeys`). The ingest handlers pass it as `ready`, so no
 * reading is stored before it has run; departments call it at start too.
 */
export function prepareReadingStorage(
  options: PrepareReadingStorageOptions,
): Promise<void> {
  const { readings, keys, logger } = options;
  return once(prepared, readings, async () => {
    await Promise.all([
      ensureReadingSeries(readings, logger),
      once(ledgers, keys, () => checkKeyLedger(keys, logger)),
    ]);
    const removed = await repairReadingKeys({
      readings: readings.collection,
      keys: keys.collection,
    });
    if (removed > 0)
      logger.warn(
        { collection: readings.collection.collectionName, removed },
        `${readings.collection.collectionName}: removed ${removed} reading keys left without their reading (an interrupted write); those readings are stored when sent again`,
      );
  });
}
