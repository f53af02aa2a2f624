/**
 * A state change and its event in one write, without transactions (localdb
 * has none): the event is recorded on the very document the change writes
 * (`pendingEvents`, with `pendingSince`), in the same single-document update
 * or insert, which MongoDB and localdb apply atomically. Then it is written
 * to the outbox and removed from the document. If the process dies, or the
 * outbox write fails, between the two, the event stays on the document and
 * the department's outbox relay sweeps it into the outbox later
 * ({@link sweepPendingEvents}): a change is never without its event. The
 * outbox stores an event id once, so a sweep of an event that did reach the
 * outbox writes nothing. See docs/live.md, "Delivery guarantees".
 */
import type { Collection, Document } from 'mongodb';
import type { Connection } from 'mongoose';
import type { CityEvent, EventPublisher } from '../runtime/cityEvents.js';
import type { Logger } from '../runtime/logger.js';

/** The field holding a document's events not yet in the outbox. */
export const PENDING_EVENTS_FIELD = 'pendingEvents';
/** When the oldest of them was recorded: what the sweep's indexed range read looks at. */
export const PENDING_SINCE_FIELD = 'pendingSince';

/** What a document holding pending events has. */
export interface PendingEventsHolder {
  pendingEvents?: CityEvent[];
  pendingSince?: Date;
}

/**
 * The mongoose definition of the two fields, spread into the schema of every
 * model whose writes announce themselves (a plain object, so lib needs no
 * mongoose import). Absent from a document with nothing pending.
 */
export const pendingEventsDefinition = {
  [PENDING_EVENTS_FIELD]: { type: Array, default: undefined },
  [PENDING_SINCE_FIELD]: { type: Date, default: undefined },
} as const;

/** The index the sweep reads (sparse: only documents with something pending are in it). */
export const PENDING_EVENTS_INDEX = [
  { [PENDING_SINCE_FIELD]: 1 },
  { sparse: true, name: 'pending_events' },
] as const;

/** Somewhere to declare {@link PENDING_EVENTS_INDEX} (a mongoose Schema is one). */
export interface IndexableSchema {
  index(
    fields: Record<string, 1 | -1>,
    options: Record<string, unknown>,
  ): unknown;
}

/** Adds {@link PENDING_EVENTS_INDEX} to a schema. */
export function indexPendingEvents(schema: IndexableSchema): void {
  schema.index({ ...PENDING_EVENTS_INDEX[0] }, { ...PENDING_EVENTS_INDEX[1] });
}

/** An operator update, as mongoose and the driver take it. */
export type OperatorUpdate = Record<string, Record<string, unknown>>;

/**
 * `update` extended to record `events` on the document it changes: the
 * change and its events are then one single-document write.
 */
export function recordingEvents(
  update: OperatorUpdate,
  events: readonly CityEvent[],
  now: Date = new Date(),
): OperatorUpdate {
  return {
    ...update,
    $set: { ...update['$set'], [PENDING_SINCE_FIELD]: now },
    $push: {
      ...update['$push'],
      [PENDING_EVENTS_FIELD]: { $each: [...events] },
    },
  };
}

/** `doc` to be inserted with `events` recorded on it. */
export function withPendingEvents<T extends object>(
  doc: T,
  events: readonly CityEvent[],
  now: Date = new Date(),
): T & Required<PendingEventsHolder> {
  return { ...doc, pendingEvents: [...events], pendingSince: now };
}

/** The minimal model surface {@link settlePendingEvents} needs (a mongoose Model or a driver collection). */
export interface UpdatableCollection {
  updateOne(
    filter: Record<string, unknown>,
    update: Record<string, unknown>,
  ): PromiseLike<unknown> | { exec(): Promise<unknown> };
}

const run = async (
  op: PromiseLike<unknown> | { exec(): Promise<unknown> },
): Promise<void> => {
  await ('exec' in op ? op.exec() : op);
};

/** Removes events that are in the outbox now from the document that held them. */
export async function settlePendingEvents(
  collection: UpdatableCollection,
  docId: string,
  eventIds: readonly string[],
): Promise<void> {
  await run(
    collection.updateOne(
      { _id: docId },
      { $pull: { [PENDING_EVENTS_FIELD]: { id: { $in: [...eventIds] } } } },
    ),
  );
  // Only if nothing else was recorded meanwhile (a concurrent change).
  await run(
    collection.updateOne(
      { _id: docId, [PENDING_EVENTS_FIELD]: { $size: 0 } },
      { $unset: { [PENDING_EVENTS_FIELD]: '', [PENDING_SINCE_FIELD]: '' } },
    ),
  );
}

/** What {@link publishRecordedChange} announces. */
export interface RecordedChange {
  /** The events the state write recorded on its document. */
  readonly events: readonly CityEvent[];
  /** Clears them from that document ({@link settlePendingEvents} bound to it, from the department's queries). */
  readonly settle: (eventIds: readonly string[]) => Promise<void>;
}

/**
 * After a state write that recorded its events ({@link recordingEvents},
 * {@link withPendingEvents}): writes them to the outbox, then clears them
 * from the document. Never throws: the change is made and its answer must
 * say so; an event that did not reach the outbox stays on the document for
 * the relay's sweep.
 */
export async function publishRecordedChange(
  ctx: { readonly events: EventPublisher; readonly logger: Logger },
  change: RecordedChange,
): Promise<void> {
  const ids = change.events.map((e) => e.id);
  try {
    await ctx.events.publish(change.events);
  } catch (error) {
    ctx.logger.warn(
      {
        events: ids,
        err: error instanceof Error ? error.message : String(error),
      },
      'event not in the outbox yet: kept on the changed document, the outbox relay will sweep it',
    );
    return;
  }
  try {
    await change.settle(ids);
  } catch (error) {
    // Harmless: the sweep finds it in the outbox already and clears it.
    ctx.logger.warn(
      {
        events: ids,
        err: error instanceof Error ? error.message : String(error),
      },
      'event in the outbox but still marked pending on its document',
    );
  }
}

/** Options of {@link sweepPendingEvents}. */
export interface SweepPendingEventsOptions {
  readonly connection: Connection;
  /** The collections whose documents record events. */
  readonly collections: readonly string[];
  /** The department's outbox publisher. */
  readonly publisher: EventPublisher;
  /**
   * Only events recorded at least this long ago are swept: a request
   * between its two writes is left to finish its own (a sweep of it would
   * be harmless, only wasted).
   * @default 5000
   */
  readonly minAgeMs?: number;
  /**
   * Documents read per collection and sweep.
   * @default 500
   */
  readonly batchSize?: number;
}

/**
 * Moves the events left pending on documents (the process died, or the
 * outbox write failed, after the state write) into the outbox and clears
 * them; the number of events moved. One indexed range read per collection.
 */
export async function sweepPendingEvents(
  options: SweepPendingEventsOptions,
): Promise<number> {
  const cutoff = new Date(Date.now() - (options.minAgeMs ?? 5000));
  let moved = 0;
  for (const name of options.collections) {
    const collection = options.connection.collection<
      Document & PendingEventsHolder
    >(name) as unknown as Collection<Document & PendingEventsHolder>;
    const docs = await collection
      .find({ [PENDING_SINCE_FIELD]: { $lte: cutoff } })
      .project<{ _id: string } & PendingEventsHolder>({
        [PENDING_EVENTS_FIELD]: 1,
      })
      .limit(options.batchSize ?? 500)
      .toArray();
    for (const doc of docs) {
      const events = doc.pendingEvents ?? [];
      if (events.length > 0) await options.publisher.publish(events);
      await settlePendingEvents(
        collection as unknown as UpdatableCollection,
        doc._id,
        events.map((e) => e.id),
      );
      moved += events.length;
    }
  }
  return moved;
}
