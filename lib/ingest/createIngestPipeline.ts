/**
 * The ingestion pipeline every department runs on its own entity types:
 * parse → route to the type's handler → look the devices up (one batch per
 * type) → validate → quarantine what is rejected → store what is accepted
 * (idempotently, advancing the current state) → publish one event per stored
 * record. Every entity gets exactly one outcome, in request order; nothing is
 * dropped without its outcome saying so.
 */
import { counter } from '../runtime/metrics.js';
import type { CityEvent, EventPublisher } from '../runtime/cityEvents.js';
import type { Department } from '../runtime/config.js';
import type { Logger } from '../runtime/logger.js';
import {
  NgsiFormatError,
  parseNgsiLdEntity,
  parseNgsiV2Entity,
  peekIdAndType,
  type NgsiEntity,
  type NgsiFormat,
} from './ngsiEntity.js';
import type { ObservationSpec } from './observationSpec.js';
import {
  REJECTION_REASONS,
  type QualityFlag,
  type RecordQuality,
  type RecordSource,
  type RejectionReason,
} from './quality.js';
import type { Quarantine, QuarantineEntry } from './quarantine.js';
import {
  statsWindow,
  summarizeDataQuality,
  type DataQualityReport,
  type DataQualityType,
} from './dataQuality.js';
import {
  tallyBatch,
  type DeviceCounts,
  type IngestStats,
  type RecordFact,
} from './ingestStats.js';
import {
  deviceIdOf,
  validateObservation,
  type CityGeography,
  type DeviceInfo,
  type ValidatedObservation,
} from './validateObservation.js';

/** How a department stores one observation type. */
export interface ObservationHandler {
  readonly spec: ObservationSpec;
  /** The registered devices among `ids` (one query). */
  findDevices(ids: readonly string[]): Promise<ReadonlyMap<string, DeviceInfo>>;
  /**
   * Stores the records idempotently (a record whose id is already stored is
   * a duplicate, not a second reading) and advances each device's current
   * state when a record is newer than it (an older one never regresses it).
   * One outcome per record, in order.
   */
  store(
    records: readonly ValidatedObservation[],
  ): Promise<readonly ('created' | 'duplicate')[]>;
  /**
   * The type's registered devices and how many have a current state that is
   * not stale since `freshSince` (the data-quality view's completeness and
   * freshness; lib/ingest/ingestStats.ts `deviceCounter`). Without it both
   * are null.
   */
  countDevices?(freshSince: Date): Promise<DeviceCounts>;
  /** The small public numbers of the record's event (defaults to its values and texts). */
  eventPayload?(record: ValidatedObservation): Record<string, unknown>;
  /**
   * The type of the events of its records.
   * @default 'reading.received'
   */
  readonly eventType?: string;
}

/** A record of a type that is not an observation (a citizen report), as stored. */
export interface IngestedRecord {
  /** Its graph id (the same for a resent record). */
  readonly id: string;
  /** The entity id as the payload gave it. */
  readonly entityId: string;
  readonly quality: RecordQuality;
}

/** What an {@link EntityHandler} checks an entity against. */
export interface EntityValidationContext {
  readonly geography: CityGeography;
  readonly source: RecordSource;
  readonly receivedAt: Date;
  readonly maxClockSkewMs: number;
}

/** The verdict on one entity of an {@link EntityHandler}. */
export type EntityVerdict<R> =
  | { readonly ok: true; readonly record: R }
  | {
      readonly ok: false;
      readonly reason: RejectionReason;
      readonly detail: string;
    };

/**
 * How a department ingests a type that is not a device's observation (an
 * Open311 service request): its own checks, its own store, its own event;
 * the pipeline still parses, quarantines, counts and announces the same way.
 */
export interface EntityHandler<R extends IngestedRecord = IngestedRecord> {
  /** The FIWARE types it takes (the model's current and former names). */
  readonly types: readonly string[];
  /** Checks one entity (one batch's lookups done first by `prepare`). */
  validate(
    entity: NgsiEntity,
    context: EntityValidationContext,
  ): EntityVerdict<R>;
  /** Looks up what `validate` needs for the whole batch (one query), before any `validate`. */
  prepare?(entities: readonly NgsiEntity[]): Promise<void>;
  /** Stores idempotently: one outcome per record, in order. */
  store(records: readonly R[]): Promise<readonly ('created' | 'duplicate')[]>;
  /** The event announcing a stored record. */
  event(record: R): CityEvent;
}

/** One batch handed to the pipeline. */
export interface IngestBatch {
  readonly format: NgsiFormat;
  /** NGSI-v2 `options=keyValues`. @default false */
  readonly keyValues?: boolean;
  /** The entities as received (parsed JSON). */
  readonly entities: readonly unknown[];
  readonly source: RecordSource;
  readonly receivedAt: Date;
  /**
   * Quarantined records sent through again by staff: the statistics count
   * them as replayed, not as received a second time.
   * @default false
   */
  readonly replay?: boolean;
}

/** The outcome of one entity. */
export type IngestOutcome =
  | {
      readonly entityId: string | null;
      readonly status: 'created' | 'duplicate';
      /** The reading's graph id. */
      readonly recordId: string;
      readonly flags: readonly QualityFlag[];
    }
  | {
      readonly entityId: string | null;
      readonly status: 'rejected';
      readonly reason: RejectionReason;
      readonly detail: string;
      /** Whether the raw payload is kept in the quarantine (replayable). */
      readonly quarantined: boolean;
    }
  | {
      readonly entityId: string | null;
      readonly status: 'failed';
      /** What went wrong on the city's side; the sender should retry (idempotent). */
      readonly detail: string;
    };

/** Options of {@link createIngestPipeline}. */
export interface IngestPipelineOptions {
  readonly department: Department;
  /** The department's handlers, by FIWARE type. */
  readonly handlers: readonly ObservationHandler[];
  /** The department's handlers of other types (citizen reports). @default [] */
  readonly entityHandlers?: readonly EntityHandler[];
  readonly quarantine: Quarantine;
  /**
   * Where each batch's counts go (the data-quality view); without it the
   * view answers zeros.
   */
  readonly stats?: IngestStats;
  /** Where stored records are announced (the live city's outbox). */
  readonly events: EventPublisher;
  readonly geography: CityGeography;
  readonly logger: Logger;
  /**
   * How far ahead of the receiving clock an observation may be.
   * @default 120_000 (2 minutes)
   */
  readonly maxClockSkewMs?: number;
  /**
   * Records stored per write.
   * @default 1000
   */
  readonly chunkSize?: number;
}

/** A department's pipeline. */
export interface IngestPipeline {
  /** The FIWARE types this department ingests. */
  readonly types: readonly string[];
  ingest(batch: IngestBatch): Promise<IngestOutcome[]>;
  /**
   * The data-quality view over `range` (widened to whole hours), per type
   * and source, optionally of the sources with id `source`
   * (lib/ingest/dataQuality.ts).
   */
  dataQuality(
    range: { readonly from: Date; readonly to: Date },
    source?: string | null,
    now?: Date,
  ): Promise<DataQualityReport[]>;
}

/** The event of a stored reading: deterministic id, so a resent one is recognised. */
function readingEvent(
  department: Department,
  handler: ObservationHandler,
  record: ValidatedObservation,
): CityEvent {
  return {
    id: `${record.type}:${record.id}`,
    department,
    type: handler.eventType ?? 'reading.received',
    entity: { type: handler.spec.deviceType, id: record.deviceId },
    district: record.district,
    occurredAt: record.observedAt,
    payload: {
      fiwareType: record.type,
      readingId: record.id,
      qualityScore: record.quality.score,
      ...(handler.eventPayload?.(record) ?? {
        ...record.values,
        ...record.texts,
      }),
    },
  };
}

const ingestRecords = counter(
  'ingest_records_total',
  'Records received by ingestion, by department, outcome (created, duplicate, rejected, failed) and rejection reason.',
  ['department', 'outcome', 'reason'],
);
const ingestFlags = counter(
  'ingest_quality_flags_total',
  'Quality flags put on accepted records, by department and flag.',
  ['department', 'flag'],
);
const statsFailures = counter(
  'ingest_stats_failures_total',
  'Batches whose data-quality counts could not be written (the records themselves are stored), by department.',
  ['department'],
);
const quarantined = counter(
  'ingest_quarantined_total',
  'Rejected records kept in the quarantine (replayable), by department.',
  ['department'],
);

/** Ingestion metrics of one batch (docs/operations.md, "Metrics"). */
function countOutcomes(
  department: Department,
  outcomes: readonly IngestOutcome[],
): void {
  // Tallied first: one increment per label set rather than per record (a
  // batch is hundreds of records and a handful of label sets).
  const records = new Map<
    string,
    { outcome: string; reason: string; n: number }
  >();
  const flags = new Map<string, number>();
  let kept = 0;
  for (const outcome of outcomes) {
    const reason = outcome.status === 'rejected' ? outcome.reason : '';
    const key = `${outcome.status}|${reason}`;
    const entry = records.get(key);
    if (entry) entry.n += 1;
    else records.set(key, { outcome: outcome.status, reason, n: 1 });
    if (outcome.status === 'rejected' && outcome.quarantined) kept += 1;
    if (outcome.status === 'created')
      for (const flag of outcome.flags)
        flags.set(flag, (flags.get(flag) ?? 0) + 1);
  }
  for (const { outcome, reason, n } of records.values())
    ingestRecords.inc({ department, outcome, reason }, n);
  if (kept > 0) quarantined.inc({ department }, kept);
  for (const [flag, n] of flags) ingestFlags.inc({ department, flag }, n);
}

/** Builds a department's pipeline. */
export function createIngestPipeline(
  options: IngestPipelineOptions,
): IngestPipeline {
  const handlers = new Map(options.handlers.map((h) => [h.spec.type, h]));
  const entityHandlers = new Map<string, EntityHandler>();
  for (const h of options.entityHandlers ?? [])
    for (const type of h.types) entityHandlers.set(type, h);
  const maxClockSkewMs = options.maxClockSkewMs ?? 120_000;
  const chunkSize = options.chunkSize ?? 1000;

  const types = [...handlers.keys(), ...entityHandlers.keys()];
  // The statistics count a type under its current name (an entity handler's
  // first), anything else under `(other)` so a sender cannot add buckets.
  const canonical = new Map<string, string>(types.map((t) => [t, t]));
  for (const h of options.entityHandlers ?? [])
    for (const type of h.types) canonical.set(type, h.types[0] ?? type);
  const knownType = (type: string | null) =>
    (type === null ? undefined : canonical.get(type)) ?? '(other)';

  return {
    types,
    async ingest(batch) {
      const outcomes: IngestOutcome[] = new Array<IngestOutcome>(
        batch.entities.length,
      );
      // Per entity, what the statistics count it under (type, device, time).
      const facts: RecordFact[] = new Array<RecordFact>(batch.entities.length);
      const rejected: { index: number; entry: QuarantineEntry }[] = [];
      const reject = (
        index: number,
        entityId: string | null,
        entityType: string | null,
        reason: RejectionReason,
        detail: string,
      ) => {
        facts[index] = { type: knownType(entityType) };
        outcomes[index] = {
          entityId,
          status: 'rejected',
          reason,
          detail,
          quarantined: true,
        };
        rejected.push({
          index,
          entry: {
            entityId,
            entityType,
            reason,
            detail,
            source: batch.source,
            receivedAt: batch.receivedAt,
            format: batch.format,
            keyValues: batch.keyValues ?? false,
            payload: batch.entities[index],
          },
        });
      };

      // Parse and route.
      const byHandler = new Map<
        ObservationHandler,
        { index: number; entity: NgsiEntity }[]
      >();
      const byEntityHandler = new Map<
        EntityHandler,
        { index: number; entity: NgsiEntity }[]
      >();
      batch.entities.forEach((raw, index) => {
        const peeked = peekIdAndType(raw, batch.format);
        let entity: NgsiEntity;
        try {
          entity =
            batch.format === 'ngsi-ld'
              ? parseNgsiLdEntity(raw)
              : parseNgsiV2Entity(raw, batch.keyValues ?? false);
        } catch (error) {
          if (!(error instanceof NgsiFormatError)) throw error;
          reject(
            index,
            peeked.id,
            peeked.type,
            'MALFORMED_ENTITY',
            error.message,
          );
          return;
        }
        const other = entityHandlers.get(entity.type);
        if (other) {
          const group = byEntityHandler.get(other) ?? [];
          group.push({ index, entity });
          byEntityHandler.set(other, group);
          return;
        }
        const handler = handlers.get(entity.type);
        if (!handler) {
          reject(
            index,
            entity.id,
            entity.type,
            'UNKNOWN_TYPE',
            `${options.department} does not ingest ${entity.type} (it ingests ${[...handlers.keys(), ...entityHandlers.keys()].join(', ')}).`,
          );
          return;
        }
        const group = byHandler.get(handler) ?? [];
        group.push({ index, entity });
        byHandler.set(handler, group);
      });

      // Validate and store, type by type.
      const stored: { recordId: string; event: () => CityEvent }[] = [];
      const storeChunk = async <R extends IngestedRecord>(
        type: string,
        chunk: readonly { index: number; record: R }[],
        fact: (record: R) => RecordFact,
        store: (
          records: readonly R[],
        ) => Promise<readonly ('created' | 'duplicate')[]>,
        event: (record: R) => CityEvent,
      ) => {
        try {
          const results = await store(chunk.map((a) => a.record));
          chunk.forEach(({ index, record }, k) => {
            facts[index] = fact(record);
            outcomes[index] = {
              entityId: record.entityId,
              status: results[k] ?? 'duplicate',
              recordId: record.id,
              flags: record.quality.flags,
            };
            stored.push({ recordId: record.id, event: () => event(record) });
          });
        } catch (error) {
          options.logger.error(
            {
              department: options.department,
              type,
              err: error instanceof Error ? error.message : String(error),
            },
            'ingest: storing records failed',
          );
          for (const { index, record } of chunk) {
            facts[index] = { type };
            outcomes[index] = {
              entityId: record.entityId,
              status: 'failed',
              detail:
                'The record could not be stored now; send it again (resending is safe: it is counted once).',
            };
          }
        }
      };
      for (const [handler, group] of byEntityHandler) {
        await handler.prepare?.(group.map((g) => g.entity));
        const accepted: { index: number; record: IngestedRecord }[] = [];
        for (const { index, entity } of group) {
          const verdict = handler.validate(entity, {
            geography: options.geography,
            source: batch.source,
            receivedAt: batch.receivedAt,
            maxClockSkewMs,
          });
          if (verdict.ok) accepted.push({ index, record: verdict.record });
          else
            reject(
              index,
              entity.id,
              entity.type,
              verdict.reason,
              verdict.detail,
            );
        }
        for (let i = 0; i < accepted.length; i += chunkSize)
          await storeChunk(
            handler.types[0] ?? '',
            accepted.slice(i, i + chunkSize),
            (record) => ({
              type: knownType(handler.types[0] ?? null),
              score: record.quality.score,
            }),
            (records) => handler.store(records),
            (record) => handler.event(record),
          );
      }
      for (const [handler, group] of byHandler) {
        const ids = [
          ...new Set(
            group
              .map(({ entity }) => deviceIdOf(entity, handler.spec))
              .filter((id): id is string => id !== null),
          ),
        ];
        const devices = await handler.findDevices(ids);
        const accepted: { index: number; record: ValidatedObservation }[] = [];
        for (const { index, entity } of group) {
          const deviceId = deviceIdOf(entity, handler.spec);
          const verdict = validateObservation(entity, handler.spec, {
            device: deviceId === null ? undefined : devices.get(deviceId),
            geography: options.geography,
            source: batch.source,
            receivedAt: batch.receivedAt,
            maxClockSkewMs,
          });
          if (verdict.ok) accepted.push({ index, record: verdict.record });
          else
            reject(
              index,
              entity.id,
              entity.type,
              verdict.reason,
              verdict.detail,
            );
        }
        for (let i = 0; i < accepted.length; i += chunkSize)
          await storeChunk(
            handler.spec.type,
            accepted.slice(i, i + chunkSize),
            (record) => ({
              type: handler.spec.type,
              deviceId: record.deviceId,
              observedAt: record.observedAt,
              score: record.quality.score,
            }),
            (records) => handler.store(records),
            (record) => readingEvent(options.department, handler, record),
          );
      }

      // Keep what was rejected (raw payload, reason, source, time).
      if (rejected.length > 0) {
        try {
          await options.quarantine.put(rejected.map((r) => r.entry));
        } catch (error) {
          options.logger.error(
            {
              department: options.department,
              err: error instanceof Error ? error.message : String(error),
            },
            'ingest: quarantine write failed',
          );
          for (const { index } of rejected) {
            const outcome = outcomes[index];
            if (outcome?.status === 'rejected')
              outcomes[index] = { ...outcome, quarantined: false };
          }
        }
      }

      // Announce what is durable; duplicates too (the event id is
      // deterministic, so the outbox counts a resent one once, and a record
      // whose first announcement failed gets announced on the resend).
      if (stored.length > 0) {
        try {
          await options.events.publish(stored.map((s) => s.event()));
        } catch (error) {
          options.logger.error(
            {
              department: options.department,
              err: error instanceof Error ? error.message : String(error),
            },
            'ingest: publishing events failed',
          );
          const storedIds = new Set(stored.map((s) => s.recordId));
          outcomes.forEach((outcome, index) => {
            if (
              (outcome.status === 'created' ||
                outcome.status === 'duplicate') &&
              storedIds.has(outcome.recordId)
            )
              outcomes[index] = {
                entityId: outcome.entityId,
                status: 'failed',
                detail:
                  'The record is stored but could not be announced to the live city; send it again (resending is safe: it is counted once).',
              };
          });
        }
      }
      countOutcomes(options.department, outcomes);
      await recordStats(batch, outcomes, facts);
      return outcomes;
    },
    async dataQuality(range, source, now = new Date()) {
      const window = statsWindow(range);
      const [docs, counts] = await Promise.all([
        options.stats?.read(window) ?? Promise.resolve([]),
        Promise.all(
          [...handlers.values()].map(async (h) => ({
            type: h.spec.type,
            reportingIntervalMs: h.spec.reportingIntervalMs,
            devices: await h.countDevices?.(
              new Date(now.getTime() - h.spec.staleAfterMs),
            ),
          })),
        ),
      ]);
      const byType = new Map(counts.map((c) => [c.type, c]));
      const described: DataQualityType[] = [...new Set(canonical.values())].map(
        (type) => byType.get(type) ?? { type },
      );
      return summarizeDataQuality({
        docs,
        types: described,
        window,
        now,
        source,
      });
    },
  };

  /**
   * The batch's data-quality counts: one bulk write of a few `$inc` upserts.
   * A failure is logged and counted, never the batch's: the records are
   * stored already, and the counts are statistics, not the records.
   */
  async function recordStats(
    batch: IngestBatch,
    outcomes: readonly IngestOutcome[],
    facts: readonly RecordFact[],
  ): Promise<void> {
    if (!options.stats) return;
    try {
      await options.stats.record(
        tallyBatch({
          source: batch.source,
          receivedAt: batch.receivedAt,
          replay: batch.replay ?? false,
          outcomes,
          facts,
        }),
      );
    } catch (error) {
      statsFailures.inc({ department: options.department });
      options.logger.error(
        {
          department: options.department,
          err: error instanceof Error ? error.message : String(error),
        },
        'ingest: data-quality counts not written',
      );
    }
  }
}

/** The text of a rejection reason (docs and error titles). */
export function rejectionTitle(reason: RejectionReason): string {
  return REJECTION_REASONS[reason];
}
