/**
 * Ingestion statistics, the ground of the `<department>DataQuality` view
 * (docs/ingestion.md, "Data quality"): what each source sent of each type,
 * hour by hour, counted on ingest by the pipeline.
 *
 * Cheap by construction: one `$inc` upsert per (source, type, hour) that a
 * batch touches, in one unordered bulk write per batch (batches recorded
 * while a write is in flight share the next one, their increments of a
 * bucket summed: lib/ingest/coalesceWrites.ts), never a write per record; the view reads at most a few thousand small documents, never the
 * readings. Counts go to the hour the batch was received in; the readings
 * each device delivered (for completeness) go to the hour they were
 * *observed* in, so a late arrival fills the hour it belongs to.
 */
import { coalesceWrites } from './coalesceWrites.js';
import type { QualityFlag, RecordSource, RejectionReason } from './quality.js';

/** The collection of each department's database that holds its statistics. */
export const INGEST_STATS_COLLECTION = 'ingest_stats';

/** The width of a statistics bucket. */
export const STATS_BUCKET_MS = 3_600_000;

/**
 * The source a statistics bucket counts under: a device publishing over
 * MQTT speaks only for itself, so devices are counted together as one
 * source (`device`/`mqtt`; each device's own deliveries are in `observed`),
 * which keeps one bucket per hour however many devices there are.
 */
export function statsSource(source: RecordSource): RecordSource {
  return source.kind === 'device' ? { kind: 'device', id: 'mqtt' } : source;
}

/** One bucket as stored (counters absent until first incremented). */
export interface IngestStatsDoc {
  /** `<hour ISO>|<type>|<source kind>:<source id>`. */
  _id: string;
  source: RecordSource;
  /** The FIWARE type (`(other)` for an entity of no type the department ingests). */
  type: string;
  /** The start of the hour (UTC). */
  hour: Date;
  /** Records received in this hour (replays excluded). */
  received?: number;
  /** Of those, accepted (stored now or already stored). */
  accepted?: number;
  /** Of the accepted, those already stored (the same observation again). */
  duplicates?: number;
  /** Of the accepted, those with at least one quality flag. */
  flagged?: number;
  /** Of the received, rejected (and quarantined). */
  rejected?: number;
  /** Of the received, not stored because of the city's side (the sender retries). */
  failed?: number;
  /** Sum of the accepted records' quality scores. */
  scoreSum?: number;
  /** Quarantined records replayed in this hour, and how many of them were stored. */
  replayed?: number;
  replayedAccepted?: number;
  /** Accepted records per flag. */
  flags?: Partial<Record<QualityFlag, number>>;
  /** Rejected records per reason. */
  rejections?: Partial<Record<RejectionReason, number>>;
  /** New readings observed in this hour, per device (escaped id, {@link escapeKey}). */
  observed?: Record<string, number>;
}

/**
 * The mongoose definition of {@link IngestStatsDoc} (a plain object, so lib
 * needs no mongoose import); lib/subgraph-kit/models/IngestStat.ts compiles
 * it. The pipeline writes through the driver; the maps are free-form.
 */
export const ingestStatsDocDefinition = {
  _id: { type: String, required: true },
  source: {
    kind: { type: String, required: true },
    id: { type: String, required: true },
  },
  type: { type: String, required: true },
  // Its index is the TTL one made at start (ingestStatsTtl), which also
  // serves the view's range reads.
  hour: { type: Date, required: true },
  received: Number,
  accepted: Number,
  duplicates: Number,
  flagged: Number,
  rejected: Number,
  failed: Number,
  scoreSum: Number,
  replayed: Number,
  replayedAccepted: Number,
  flags: Object,
  rejections: Object,
  observed: Object,
} as const;

/** What the pipeline knows of one record of a batch, beside its outcome. */
export interface RecordFact {
  /** Its FIWARE type (or `(other)`). */
  readonly type: string;
  /** For a device's observation: the device and the observation time. */
  readonly deviceId?: string;
  readonly observedAt?: Date;
  /** The accepted record's quality score. */
  readonly score?: number;
}

/** One record's outcome as the statistics see it. */
export type CountedOutcome =
  | {
      readonly status: 'created' | 'duplicate';
      readonly flags: readonly QualityFlag[];
    }
  | { readonly status: 'rejected'; readonly reason: RejectionReason }
  | { readonly status: 'failed' };

/** The increments of one bucket. */
export interface StatsIncrement {
  readonly id: string;
  readonly source: RecordSource;
  readonly type: string;
  readonly hour: Date;
  readonly inc: Record<string, number>;
}

/**
 * A device id as a field name: `%`, `.` and `$` (which a field name may not
 * hold or start with) escaped as `%25`, `%2E`, `%24`.
 */
export function escapeKey(key: string): string {
  return key.replace(
    /[%.$]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The device id of an {@link escapeKey}d field name. */
export function unescapeKey(key: string): string {
  return key.replace(/%(25|2E|24)/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/**
 * The bucket increments of one batch: counts in the hour it was received,
 * new readings in the hour they were observed. A replay (quarantined records
 * sent through again by staff) is not a new reception: it counts only as
 * replayed (and its new readings as delivered).
 */
export function tallyBatch(batch: {
  readonly source: RecordSource;
  readonly receivedAt: Date;
  readonly replay?: boolean;
  readonly outcomes: readonly CountedOutcome[];
  readonly facts: readonly RecordFact[];
}): StatsIncrement[] {
  const source = statsSource(batch.source);
  // Per record only map lookups: a bucket by type and hour, a device's
  // field name once per batch (ids, ISO strings and escapes are made once
  // per bucket or device, not per record; the seed tallies 60,000 at once).
  const buckets: StatsIncrement[] = [];
  const byType = new Map<string, Map<number, StatsIncrement>>();
  const bucketOf = (type: string, at: Date): StatsIncrement => {
    const hourMs = Math.floor(at.getTime() / STATS_BUCKET_MS) * STATS_BUCKET_MS;
    let hours = byType.get(type);
    if (!hours) {
      hours = new Map();
      byType.set(type, hours);
    }
    let bucket = hours.get(hourMs);
    if (!bucket) {
      const hour = new Date(hourMs);
      bucket = {
        id: `${hour.toISOString()}|${type}|${source.kind}:${source.id}`,
        source,
        type,
        hour,
        inc: {},
      };
      hours.set(hourMs, bucket);
      buckets.push(bucket);
    }
    return bucket;
  };
  const add = (bucket: StatsIncrement, field: string, by = 1) => {
    bucket.inc[field] = (bucket.inc[field] ?? 0) + by;
  };
  const observedFields = new Map<string, string>();
  const observedField = (deviceId: string) => {
    let field = observedFields.get(deviceId);
    if (field === undefined) {
      field = `observed.${escapeKey(deviceId)}`;
      observedFields.set(deviceId, field);
    }
    return field;
  };
  const at = batch.receivedAt;
  batch.outcomes.forEach((outcome, i) => {
    const fact = batch.facts[i] ?? { type: '(other)' };
    const stored =
      outcome.status === 'created' || outcome.status === 'duplicate';
    if (
      outcome.status === 'created' &&
      fact.deviceId !== undefined &&
      fact.observedAt !== undefined
    )
      add(bucketOf(fact.type, fact.observedAt), observedField(fact.deviceId));
    const bucket = bucketOf(fact.type, at);
    if (batch.replay) {
      add(bucket, 'replayed');
      if (stored) add(bucket, 'replayedAccepted');
      return;
    }
    add(bucket, 'received');
    if (stored) {
      add(bucket, 'accepted');
      if (outcome.status === 'duplicate') add(bucket, 'duplicates');
      if (outcome.flags.length > 0) {
        add(bucket, 'flagged');
        for (const flag of new Set(outcome.flags)) add(bucket, `flags.${flag}`);
      }
      if (fact.score !== undefined) add(bucket, 'scoreSum', fact.score);
    } else if (outcome.status === 'rejected') {
      add(bucket, 'rejected');
      add(bucket, `rejections.${outcome.reason}`);
    } else add(bucket, 'failed');
  });
  return buckets;
}

/** The part of a driver collection the statistics go through. */
export interface IngestStatsCollection {
  bulkWrite(
    operations: readonly object[],
    options: { ordered: boolean },
  ): Promise<unknown>;
  find(filter: object): { toArray(): Promise<unknown[]> };
}

/** A department's statistics. */
export interface IngestStats {
  /** Adds a batch's increments: one upsert per bucket, one bulk write. */
  record(increments: readonly StatsIncrement[]): Promise<void>;
  /**
   * Sets each bucket to exactly these counts (one replace per bucket, one
   * bulk write): for counts that describe a whole data set, the seed's, so
   * writing them again changes nothing.
   */
  replace(increments: readonly StatsIncrement[]): Promise<void>;
  /** The buckets of the hours from `from` (inclusive) to `to` (exclusive). */
  read(range: {
    readonly from: Date;
    readonly to: Date;
  }): Promise<IngestStatsDoc[]>;
}

/** A bucket's increments as a whole document (`flags.X` paths as nested maps). */
function bucketDoc(bucket: StatsIncrement): IngestStatsDoc {
  const doc: Record<string, unknown> = {
    _id: bucket.id,
    source: bucket.source,
    type: bucket.type,
    hour: bucket.hour,
  };
  for (const [path, value] of Object.entries(bucket.inc)) {
    const dot = path.indexOf('.');
    if (dot < 0) {
      doc[path] = value;
      continue;
    }
    const map = (doc[path.slice(0, dot)] ??= {}) as Record<string, number>;
    map[path.slice(dot + 1)] = value;
  }
  return doc as unknown as IngestStatsDoc;
}

/** One increment per bucket: the counts of each bucket's increments summed. */
export function mergeIncrements(
  increments: readonly StatsIncrement[],
): StatsIncrement[] {
  const byId = new Map<string, StatsIncrement>();
  for (const bucket of increments) {
    const held = byId.get(bucket.id);
    if (!held) {
      byId.set(bucket.id, { ...bucket, inc: { ...bucket.inc } });
      continue;
    }
    for (const [path, n] of Object.entries(bucket.inc))
      held.inc[path] = (held.inc[path] ?? 0) + n;
  }
  return [...byId.values()];
}

/** Statistics over a department's `ingest_stats` collection. */
export function createIngestStats(
  collection: IngestStatsCollection,
): IngestStats {
  const record = coalesceWrites<StatsIncrement>({
    merge: mergeIncrements,
    write: (increments) =>
      collection.bulkWrite(
        increments.map((bucket) => ({
          updateOne: {
            filter: { _id: bucket.id },
            update: {
              $setOnInsert: {
                source: bucket.source,
                type: bucket.type,
                hour: bucket.hour,
              },
              $inc: bucket.inc,
            },
            upsert: true,
          },
        })),
        { ordered: false },
      ),
  });
  return {
    record,
    async replace(increments) {
      if (increments.length === 0) return;
      await collection.bulkWrite(
        increments.map((bucket) => ({
          replaceOne: {
            filter: { _id: bucket.id },
            replacement: bucketDoc(bucket),
            upsert: true,
          },
        })),
        { ordered: false },
      );
    },
    async read(range) {
      const docs = await collection
        .find({ hour: { $gte: range.from, $lt: range.to } })
        .toArray();
      return docs as IngestStatsDoc[];
    },
  };
}

/** How many devices of a type are registered, and how many have a current state that is not stale. */
export interface DeviceCounts {
  readonly registered: number;
  readonly fresh: number;
}

/** The part of a driver collection {@link deviceCounter} counts with. */
export interface CountCollection {
  countDocuments(filter: object): Promise<number>;
}

/**
 * Counts a type's devices (`devices`, e.g. `TrafficSensor.collection`) and
 * those whose current state's time (`timeField`, e.g. `latest.observedAt`)
 * is after `freshSince`: two indexed counts, no scan of the history.
 */
export function deviceCounter(
  devices: CountCollection,
  timeField: string,
): (freshSince: Date) => Promise<DeviceCounts> {
  return async (freshSince) => {
    const [registered, fresh] = await Promise.all([
      devices.countDocuments({}),
      devices.countDocuments({ [timeField]: { $gt: freshSince } }),
    ]);
    return { registered, fresh };
  };
}
