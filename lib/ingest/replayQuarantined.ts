/**
 * Replaying quarantined records once their cause is fixed (a device
 * registered, a partner's unit corrected on the city's side): each record's
 * payload goes through the department's pipeline again, exactly as first
 * received (its format and source), checked against now. Stored → the record
 * is marked `replayed`; rejected again → it stays open with the new reason
 * (the pipeline keeps it, counting the attempt).
 */
import type { IngestPipeline } from './createIngestPipeline.js';
import type { QuarantineDoc } from './quarantine.js';

/** What became of one replayed record. */
export interface ReplayResult {
  readonly id: string;
  readonly outcome:
    'STORED' | 'REJECTED' | 'FAILED' | 'NOT_FOUND' | 'ALREADY_REPLAYED';
  /** The rejection reason when rejected again. */
  readonly reason: string | null;
  readonly detail: string | null;
}

/** The part of a driver collection the replay reads and marks. */
export interface ReplayCollection {
  findOne(filter: { _id: string }): Promise<QuarantineDoc | null>;
  updateOne(filter: object, update: object): Promise<unknown>;
}

/** Replays the quarantined records `ids` through `pipeline`, in order. */
export async function replayQuarantined(
  options: {
    readonly collection: ReplayCollection;
    readonly pipeline: IngestPipeline;
    readonly now?: Date;
  },
  ids: readonly string[],
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const id of ids) {
    const doc = await options.collection.findOne({ _id: id });
    if (!doc) {
      results.push({ id, outcome: 'NOT_FOUND', reason: null, detail: null });
      continue;
    }
    if (doc.status === 'replayed') {
      results.push({
        id,
        outcome: 'ALREADY_REPLAYED',
        reason: null,
        detail: null,
      });
      continue;
    }
    const now = options.now ?? new Date();
    const [outcome] = await options.pipeline.ingest({
      format: doc.format,
      keyValues: doc.keyValues,
      entities: [JSON.parse(doc.payload) as unknown],
      source: doc.source,
      receivedAt: now,
      replay: true,
    });
    if (outcome?.status === 'created' || outcome?.status === 'duplicate') {
      await options.collection.updateOne(
        { _id: id },
        { $set: { status: 'replayed', replayedAt: now } },
      );
      results.push({ id, outcome: 'STORED', reason: null, detail: null });
    } else if (outcome?.status === 'rejected') {
      results.push({
        id,
        outcome: 'REJECTED',
        reason: outcome.reason,
        detail: outcome.detail,
      });
    } else {
      results.push({
        id,
        outcome: 'FAILED',
        reason: null,
        detail: outcome?.status === 'failed' ? outcome.detail : 'no outcome',
      });
    }
  }
  return results;
}
