/**
 * Idempotent writes of observations and the current state they advance,
 * shared by every department's handlers (docs/ingestion.md, "Raw readings"):
 * - a reading is stored only if its id (`<device>@<observedAt>`) was not
 *   stored yet: the same observation sent twice, or redelivered by MQTT, is
 *   counted once;
 * - the device's `latest` (the current state the "now" fields answer from)
 *   is replaced only by a newer observation, so an out-of-order arrival never
 *   makes the state go back in time.
 *
 * Readings live in MongoDB time-series collections, which neither enforce a
 * unique `_id` nor accept upserts. Dedupe therefore goes through a ledger,
 * the department's `reading_keys` collection (a regular one, `_id` =
 * `<readings collection>|<reading id>`): the keys of a batch are inserted
 * first (a duplicate key is a duplicate reading), then the readings whose key
 * was new. If that second write fails, the keys of the readings that did not
 * land are removed again and the batch fails (the sender retries). A crash
 * between the two writes leaves keys without readings: {@link repairReadingKeys}
 * removes them at start, before ingestion is served.
 *
 * Writes go through the driver (the pipeline has validated every value
 * already; mongoose casting would only cost time at 5,000 readings/s).
 */
import type { ValidatedObservation } from './validateObservation.js';
import { coalesceWrites, type CoalescedWrite } from './coalesceWrites.js';
import { DUPLICATE_KEY, writeErrorsOf } from '../runtime/writeErrors.js';

/** The ledger's collection, in every department that stores readings. */
export const READING_KEYS_COLLECTION = 'reading_keys';

/** Keys received in the last 15 minutes before a restart are checked for orphans. */
export const ORPHAN_KEY_LOOKBACK_MS = 15 * 60_000;

/** One entry of the ledger: a reading that is stored. */
export interface ReadingKeyDoc {
  /** `<readings collection>|<reading id>` (two collections may share device ids: air and noise stations). */
  _id: string;
  /** When its reading was received (at the latest, when the key was written); the ledger's TTL counts from it. */
  receivedAt: Date;
}

/** Mongoose definition of {@link ReadingKeyDoc}. */
export const readingKeyDocDefinition = {
  _id: { type: String, required: true },
  receivedAt: { type: Date, required: true },
} as const;

/**
 * The ledger's TTL (`expireAfterSeconds` on `receivedAt`): the raw retention
 * and one day more, so a key outlives its reading (readings arrive within
 * minutes of their observation time; the pipeline refuses times in the
 * future) and a resend of a reading still stored is still a duplicate.
 */
export function readingKeyTtlSeconds(rawRetentionDays: number): number {
  return Math.round((rawRetentionDays + 1) * 86_400);
}

/** The ledger key of reading `id` in collection `collection`. */
export function readingKey(collection: string, id: string): string {
  return `${collection}|${id}`;
}

/** The device id and time a reading id (`<deviceId>@<ISO time>`) names, or undefined. */
export function parseReadingId(
  id: string,
): { deviceId: string; observedAt: Date } | undefined {
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  const observedAt = new Date(id.slice(at + 1));
  if (Number.isNaN(observedAt.getTime())) return undefined;
  return { deviceId: id.slice(0, at), observedAt };
}

/**
 * The filter of readings by id that a time-series collection answers from its
 * `{ device.id, observedAt }` index (its `_id` has no index): the devices and
 * times the ids name, and the ids themselves to be exact.
 */
export function readingIdFilter(ids: readonly string[]): {
  'device.id': { $in: string[] };
  observedAt: { $in: Date[] };
  _id: { $in: string[] };
} {
  const devices = new Set<string>();
  const times = new Map<number, Date>();
  for (const id of ids) {
    const parsed = parseReadingId(id);
    if (!parsed) continue;
    devices.add(parsed.deviceId);
    times.set(parsed.observedAt.getTime(), parsed.observedAt);
  }
  return {
    'device.id': { $in: [...devices] },
    observedAt: { $in: [...times.values()] },
    _id: { $in: [...ids] },
  };
}

/** The part of a driver collection the readings go through (`Model.collection`). */
export interface ReadingsCollection {
  readonly collectionName: string;
  insertMany(
    docs: readonly object[],
    options: { ordered: boolean },
  ): Promise<unknown>;
  find(
    filter: object,
    options: { projection: { _id: 1 } },
  ): { toArray(): Promise<{ _id: unknown }[]> };
}

/** The part of a driver collection the ledger goes through (`Model.collection`). */
export interface ReadingKeysCollection {
  insertMany(
    docs: readonly object[],
    options: { ordered: boolean },
  ): Promise<unknown>;
  deleteMany(filter: object): Promise<unknown>;
  find(
    filter: object,
    options?: { sort?: Record<string, 1 | -1>; limit?: number },
  ): { toArray(): Promise<ReadingKeyDoc[]> };
}

/** The part of a driver collection the state writes go through. */
export interface BulkWriteCollection {
  bulkWrite(
    operations: readonly object[],
    options: { ordered: boolean },
  ): Promise<{ upsertedIds?: Record<number, unknown> }>;
}

/** What a store call wrote, for who derives from readings (rollups mark their windows dirty). */
export interface StoredReadings<TDoc> {
  /** The readings written now, in record order. */
  readonly created: readonly TDoc[];
  /**
   * The records that were already stored (resent, redelivered, or retried
   * after a batch failed past the readings' write). Marking what they touch
   * again is how a retry repairs a hook that failed the first time.
   */
  readonly duplicates: readonly TDoc[];
}

/** Options of {@link storeReadings}. */
export interface StoreReadingsOptions<TDoc extends { _id: string }> {
  /** The readings collection (`Model.collection`), a time-series collection. */
  readonly readings: ReadingsCollection;
  /** The department's ledger (`reading_keys`, `Model.collection`). */
  readonly keys: ReadingKeysCollection;
  /**
   * Awaited before the first write: the collection checks of the department
   * (lib/subgraph-kit/readingSeries.ts `prepareReadingStorage`).
   */
  readonly ready?: () => Promise<unknown>;
  /**
   * Called once the readings are stored, before the call returns. If it
   * throws, the call throws (the batch fails and the sender retries; the
   * retry hands the same readings over as `duplicates`).
   */
  readonly onStored?: (stored: StoredReadings<TDoc>) => Promise<void> | void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * Removes the ledger keys among `ids` (reading ids of `readings`) whose
 * reading is not stored. Returns how many were removed.
 */
async function removeOrphanKeys(
  readings: ReadingsCollection,
  keys: ReadingKeysCollection,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  // Which of them are stored: per group of devices, their readings over the
  // span of the ids' times, from the `{ device.id, observedAt }` index (a
  // time-series collection has no `_id` index; many ids of few devices are
  // one range each).
  const times = new Map<string, number[]>();
  for (const id of ids) {
    const parsed = parseReadingId(id);
    if (!parsed) continue;
    const list = times.get(parsed.deviceId) ?? [];
    list.push(parsed.observedAt.getTime());
    times.set(parsed.deviceId, list);
  }
  const devices = [...times.keys()];
  const stored = new Set<string>();
  for (let i = 0; i < devices.length; i += DEVICES_PER_QUERY) {
    const group = devices.slice(i, i + DEVICES_PER_QUERY);
    const all = group.flatMap((d) => times.get(d) ?? []);
    const found = await readings
      .find(
        {
          'device.id': { $in: group },
          observedAt: {
            $gte: new Date(Math.min(...all)),
            $lte: new Date(Math.max(...all)),
          },
        },
        { projection: { _id: 1 } },
      )
      .toArray();
    for (const doc of found) stored.add(String(doc._id));
  }
  const orphans = ids
    .filter((id) => !stored.has(id))
    .map((id) => readingKey(readings.collectionName, id));
  for (let i = 0; i < orphans.length; i += 1000)
    await keys.deleteMany({ _id: { $in: orphans.slice(i, i + 1000) } });
  return orphans.length;
}

/** Devices per query when checking which readings are stored. */
const DEVICES_PER_QUERY = 100;

/**
 * Stores reading documents once each, through the ledger (see the module's
 * comment); one outcome per document, in order. A document whose id comes
 * twice in `docs` is created once and a duplicate the second time.
 * Seeds use it too, so the ledger knows every stored reading.
 */
export async function storeReadings<TDoc extends { _id: string }>(
  options: StoreReadingsOptions<TDoc>,
  docs: readonly TDoc[],
): Promise<('created' | 'duplicate')[]> {
  if (docs.length === 0) return [];
  await options.ready?.();
  const { readings, keys } = options;
  const collection = readings.collectionName;
  const now = (options.now ?? (() => new Date()))();
  // A key counts from when its reading was received (a seeded reading's is
  // its observation time), so seeds do not look like a burst of recent writes.
  const receivedAt = (doc: TDoc): Date => {
    const at = (doc as { receivedAt?: unknown }).receivedAt;
    return at instanceof Date && at < now ? at : now;
  };
  const outcomes = docs.map((): 'created' | 'duplicate' => 'created');

  // 1. The keys: a duplicate key is a reading stored already.
  try {
    await keys.insertMany(
      docs.map((doc) => ({
        _id: readingKey(collection, doc._id),
        receivedAt: receivedAt(doc),
      })),
      { ordered: false },
    );
  } catch (error) {
    const errors = writeErrorsOf(error);
    if (!errors || errors.some((e) => e.code !== DUPLICATE_KEY)) {
      // Which keys landed is unknown: remove those without a reading, so a
      // retry stores them (a key already there with its reading stays).
      await removeOrphanKeys(
        readings,
        keys,
        docs.map((d) => d._id),
      ).catch(() => undefined);
      throw error;
    }
    for (const e of errors) outcomes[e.index] = 'duplicate';
  }

  // 2. The readings whose key was new.
  const fresh = docs.filter((_, i) => outcomes[i] === 'created');
  if (fresh.length > 0) {
    try {
      await readings.insertMany(fresh, { ordered: false });
    } catch (error) {
      const errors = writeErrorsOf(error);
      const failed =
        errors === undefined
          ? fresh
          : errors
              .filter((e) => e.code !== DUPLICATE_KEY)
              .map((e) => fresh[e.index] as TDoc);
      if (failed.length > 0) {
        await removeOrphanKeys(
          readings,
          keys,
          failed.map((d) => d._id),
        ).catch(() => undefined);
        throw error;
      }
      // A reading stored before its key existed (a collection from before the
      // ledger, which refuses a second `_id`): it was a duplicate.
      const freshIndex = docs
        .map((_, i) => i)
        .filter((i) => outcomes[i] === 'created');
      for (const e of errors ?? [])
        outcomes[freshIndex[e.index] as number] = 'duplicate';
    }
  }

  if (options.onStored)
    await options.onStored({
      created: docs.filter((_, i) => outcomes[i] === 'created'),
      duplicates: docs.filter((_, i) => outcomes[i] === 'duplicate'),
    });
  return outcomes;
}

/** Options of {@link repairReadingKeys}. */
export interface RepairReadingKeysOptions {
  readonly readings: ReadingsCollection;
  readonly keys: ReadingKeysCollection;
  /** @default ORPHAN_KEY_LOOKBACK_MS */
  readonly lookbackMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * Removes the ledger keys of `readings` that have no reading: what a crash
 * between the two writes of {@link storeReadings} leaves. Only recent keys
 * can be such orphans: those received in the `lookbackMs` before the newest
 * key (the moment this department last wrote, when it stopped; now, when
 * other replicas write on). Call it at start, before ingestion is served.
 * Returns how many keys were removed.
 */
export async function repairReadingKeys(
  options: RepairReadingKeysOptions,
): Promise<number> {
  const { readings, keys } = options;
  const now = (options.now ?? (() => new Date()))();
  const lookbackMs = options.lookbackMs ?? ORPHAN_KEY_LOOKBACK_MS;
  const prefix = `${readings.collectionName}|`;
  const [newest] = await keys
    .find({}, { sort: { receivedAt: -1 }, limit: 1 })
    .toArray();
  if (newest === undefined) return 0;
  const until = Math.min(now.getTime(), newest.receivedAt.getTime());
  const recent = await keys
    .find({ receivedAt: { $gte: new Date(until - lookbackMs) } })
    .toArray();
  const ids = recent
    .filter((k) => k._id.startsWith(prefix))
    .map((k) => k._id.slice(prefix.length));
  return removeOrphanKeys(readings, keys, ids);
}

/** Options of {@link storeObservations}. */
export interface StoreObservationsOptions<
  TDoc extends { _id: string },
> extends StoreReadingsOptions<TDoc> {
  /** The devices collection, whose documents carry the current state. */
  readonly devices: BulkWriteCollection;
  /**
   * The device field holding the current state (a copy of its newest reading).
   * @default 'latest'
   */
  readonly stateField?: string;
  /** The reading document of a record. */
  readonly toDoc: (record: ValidatedObservation) => TDoc;
  /**
   * Where the devices' new states go: a {@link createStateWriter} made once
   * per devices collection, so concurrent batches share one write.
   * @default a write of this call's own to `devices`
   */
  readonly advanceState?: StateWriter<TDoc>;
}

/** One device's state to advance: its newest reading of a batch. */
export interface DeviceStateUpdate<TDoc> {
  readonly deviceId: string;
  readonly observedAt: Date;
  /** The reading document, copied into the state field. */
  readonly doc: TDoc;
}

/** Advances devices' states, with those of concurrent batches in one bulk write (lib/ingest/coalesceWrites.ts). */
export type StateWriter<TDoc> = CoalescedWrite<DeviceStateUpdate<TDoc>>;

/**
 * The state writer of `devices`: each device's state is replaced by the
 * newest reading queued for it, and only if newer than the one held (the
 * filter says so, so an out-of-order batch never makes it go back in time).
 * Batches stored while a write is in flight share the next one, one update
 * per device however many batches touched it.
 */
export function createStateWriter<TDoc>(
  devices: BulkWriteCollection,
  stateField = 'latest',
): StateWriter<TDoc> {
  return coalesceWrites<DeviceStateUpdate<TDoc>>({
    merge: (updates) => {
      const newest = new Map<string, DeviceStateUpdate<TDoc>>();
      for (const update of updates) {
        const current = newest.get(update.deviceId);
        if (!current || update.observedAt > current.observedAt)
          newest.set(update.deviceId, update);
      }
      return [...newest.values()];
    },
    write: (updates) =>
      devices.bulkWrite(
        updates.map(({ deviceId, observedAt, doc }) => ({
          updateOne: {
            filter: {
              _id: deviceId,
              $or: [
                { [stateField]: null },
                { [`${stateField}.observedAt`]: { $lt: observedAt } },
              ],
            },
            update: { $set: { [stateField]: doc } },
          },
        })),
        { ordered: false },
      ),
  });
}

/**
 * Stores `records` (through {@link storeReadings}) and advances each device's
 * current state; one outcome per record, in order. `onStored` runs beside
 * the state's write (both once the readings are stored); if either fails,
 * the call throws.
 */
export async function storeObservations<TDoc extends { _id: string }>(
  options: StoreObservationsOptions<TDoc>,
  records: readonly ValidatedObservation[],
): Promise<('created' | 'duplicate')[]> {
  if (records.length === 0) return [];
  const docs = records.map(options.toDoc);
  // The state and `onStored` (the rollup markers) both follow the readings
  // and not each other: written together, a batch waits for one round trip
  // where it waited for two.
  const { onStored, ...readingOptions } = options;
  let stored: StoredReadings<TDoc> | undefined;
  const outcomes = await storeReadings(
    {
      ...readingOptions,
      onStored: (s) => {
        stored = s;
      },
    },
    docs,
  );

  const advance =
    options.advanceState ??
    createStateWriter<TDoc>(options.devices, options.stateField);
  // Each record is queued; the writer keeps the newest per device.
  const advanced = advance(
    records.map((record, i) => ({
      deviceId: record.deviceId,
      observedAt: record.observedAt,
      doc: docs[i] as TDoc,
    })),
  );
  await Promise.all([
    advanced,
    stored && onStored ? onStored(stored) : undefined,
  ]);
  return outcomes;
}

/** The part of a driver collection a state write goes through. */
export interface UpdateOneCollection {
  updateOne(filter: object, update: object): Promise<{ matchedCount: number }>;
}

/** Options of {@link storeDeviceStates}. */
export interface StoreDeviceStatesOptions {
  /** The devices collection (`Model.collection`), whose documents hold the state. */
  readonly devices: UpdateOneCollection;
  /** The device field holding the state's observation time. */
  readonly timeField: string;
  /** The fields a record sets on its device (its time field included). */
  readonly toState: (record: ValidatedObservation) => Record<string, unknown>;
}

/**
 * Stores status observations that keep no history (a docking station's
 * bikes, a traffic light's state): each device's newest record replaces its
 * state only if newer than the one held. A record that is not newer (the same
 * one again, or an older one) changes nothing and is answered `duplicate`.
 */
export async function storeDeviceStates(
  options: StoreDeviceStatesOptions,
  records: readonly ValidatedObservation[],
): Promise<('created' | 'duplicate')[]> {
  const newest = new Map<string, number>();
  records.forEach((record, i) => {
    const current = newest.get(record.deviceId);
    const held = current === undefined ? undefined : records[current];
    if (!held || record.observedAt > held.observedAt)
      newest.set(record.deviceId, i);
  });
  const outcomes = records.map((): 'created' | 'duplicate' => 'duplicate');
  await Promise.all(
    [...newest.values()].map(async (i) => {
      const record = records[i] as ValidatedObservation;
      const result = await options.devices.updateOne(
        {
          _id: record.deviceId,
          $or: [
            { [options.timeField]: null },
            { [options.timeField]: { $lt: record.observedAt } },
          ],
        },
        { $set: options.toState(record) },
      );
      if (result.matchedCount === 1) outcomes[i] = 'created';
    }),
  );
  return outcomes;
}

/**
 * Whether a current state observed at `observedAt` is stale at `now`
 * (older than the type's `staleAfterMs`).
 */
export function isStale(
  observedAt: Date,
  staleAfterMs: number,
  now: Date = new Date(),
): boolean {
  return now.getTime() - observedAt.getTime() > staleAfterMs;
}
