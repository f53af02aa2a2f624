/**
 * Idempotent writes of observations and the current state they advance,
 * shared by every department's handlers:
 * - a reading is inserted only if its id (`<device>@<observedAt>`) is not
 *   stored yet: the same observation sent twice, or redelivered by MQTT, is
 *   counted once;
 * - the device's `latest` (the current state the "now" fields answer from)
 *   is replaced only by a newer observation, so an out-of-order arrival never
 *   makes the state go back in time.
 * Both go through the driver's bulkWrite (the pipeline has validated every
 * value already; mongoose casting would only cost time at 5,000 readings/s).
 */
import type { ValidatedObservation } from './validateObservation.js';

/** The part of a driver collection the writes go through. */
export interface BulkWriteCollection {
  bulkWrite(
    operations: readonly object[],
    options: { ordered: boolean },
  ): Promise<{ upsertedIds?: Record<number, unknown> }>;
}

/** Options of {@link storeObservations}. */
export interface StoreObservationsOptions<TDoc extends { _id: string }> {
  /** The readings collection (`Model.collection`). */
  readonly readings: BulkWriteCollection;
  /** The devices collection, whose documents carry the current state. */
  readonly devices: BulkWriteCollection;
  /**
   * The device field holding the current state (a copy of its newest reading).
   * @default 'latest'
   */
  readonly stateField?: string;
  /** The reading document of a record. */
  readonly toDoc: (record: ValidatedObservation) => TDoc;
}

/** Stores `records`; one outcome per record, in order. */
export async function storeObservations<TDoc extends { _id: string }>(
  options: StoreObservationsOptions<TDoc>,
  records: readonly ValidatedObservation[],
): Promise<('created' | 'duplicate')[]> {
  if (records.length === 0) return [];
  const docs = records.map(options.toDoc);
  const result = await options.readings.bulkWrite(
    docs.map(({ _id, ...fields }) => ({
      updateOne: {
        filter: { _id },
        update: { $setOnInsert: fields },
        upsert: true,
      },
    })),
    { ordered: false },
  );
  const created = new Set(
    Object.keys(result.upsertedIds ?? {}).map((index) => Number(index)),
  );

  const state = options.stateField ?? 'latest';
  // The newest record of each device in this batch advances its state.
  const newest = new Map<string, { record: ValidatedObservation; doc: TDoc }>();
  records.forEach((record, i) => {
    const current = newest.get(record.deviceId);
    if (!current || record.observedAt > current.record.observedAt)
      newest.set(record.deviceId, { record, doc: docs[i] as TDoc });
  });
  await options.devices.bulkWrite(
    [...newest].map(([deviceId, { record, doc }]) => ({
      updateOne: {
        filter: {
          _id: deviceId,
          $or: [
            { [state]: null },
            { [`${state}.observedAt`]: { $lt: record.observedAt } },
          ],
        },
        update: { $set: { [state]: doc } },
      },
    })),
    { ordered: false },
  );
  return records.map((_, i) => (created.has(i) ? 'created' : 'duplicate'));
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
