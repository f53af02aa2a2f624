/**
 * The ingestion pipeline every department runs on its own entity types:
 * parse → route to the type's handler → look the devices up (one batch per
 * type) → validate → quarantine what is rejected → store what is accepted
 * (idempotently, advancing the current state) → publish one event per stored
 * record. Every entity gets exactly one outcome, in request order; nothing is
 * dropped without its outcome saying so.
 */
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
  type RecordSource,
  type RejectionReason,
} from './quality.js';
import type { Quarantine, QuarantineEntry } from './quarantine.js';
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
  /** The small public numbers of the record's event (defaults to its values and texts). */
  eventPayload?(record: ValidatedObservation): Record<string, unknown>;
  /**
   * The type of the events of its records.
   * @default 'reading.received'
   */
  readonly eventType?: string;
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
  readonly quarantine: Quarantine;
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

/** Builds a department's pipeline. */
export function createIngestPipeline(
  options: IngestPipelineOptions,
): IngestPipeline {
  const handlers = new Map(options.handlers.map((h) => [h.spec.type, h]));
  const maxClockSkewMs = options.maxClockSkewMs ?? 120_000;
  const chunkSize = options.chunkSize ?? 1000;

  return {
    types: [...handlers.keys()],
    async ingest(batch) {
      const outcomes: IngestOutcome[] = new Array<IngestOutcome>(
        batch.entities.length,
      );
      const rejected: { index: number; entry: QuarantineEntry }[] = [];
      const reject = (
        index: number,
        entityId: string | null,
        entityType: string | null,
        reason: RejectionReason,
        detail: string,
      ) => {
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
        const handler = handlers.get(entity.type);
        if (!handler) {
          reject(
            index,
            entity.id,
            entity.type,
            'UNKNOWN_TYPE',
            `${options.department} does not ingest ${entity.type} (it ingests ${[...handlers.keys()].join(', ')}).`,
          );
          return;
        }
        const group = byHandler.get(handler) ?? [];
        group.push({ index, entity });
        byHandler.set(handler, group);
      });

      // Validate and store, type by type.
      const stored: {
        handler: ObservationHandler;
        record: ValidatedObservation;
      }[] = [];
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
        for (let i = 0; i < accepted.length; i += chunkSize) {
          const chunk = accepted.slice(i, i + chunkSize);
          try {
            const results = await handler.store(chunk.map((a) => a.record));
            chunk.forEach(({ index, record }, k) => {
              outcomes[index] = {
                entityId: record.entityId,
                status: results[k] ?? 'duplicate',
                recordId: record.id,
                flags: record.quality.flags,
              };
              stored.push({ handler, record });
            });
          } catch (error) {
            options.logger.error(
              {
                department: options.department,
                type: handler.spec.type,
                err: error instanceof Error ? error.message : String(error),
              },
              'ingest: storing records failed',
            );
            for (const { index, record } of chunk)
              outcomes[index] = {
                entityId: record.entityId,
                status: 'failed',
                detail:
                  'The record could not be stored now; send it again (resending is safe: it is counted once).',
              };
          }
        }
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
          await options.events.publish(
            stored.map(({ handler, record }) =>
              readingEvent(options.department, handler, record),
            ),
          );
        } catch (error) {
          options.logger.error(
            {
              department: options.department,
              err: error instanceof Error ? error.message : String(error),
            },
            'ingest: publishing events failed',
          );
          const storedIds = new Set(stored.map((s) => s.record.id));
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
      return outcomes;
    },
  };
}

/** The text of a rejection reason (docs and error titles). */
export function rejectionTitle(reason: RejectionReason): string {
  return REJECTION_REASONS[reason];
}
