/**
 * The contract between what changes the city's data and what watches it:
 * every accepted record (ingestion) and every state change (mutations) of a
 * department becomes one {@link CityEvent}, handed to an
 * {@link EventPublisher}. The department's publisher writes it to an outbox in
 * the department's own database, and a relay moves the outbox to the broker,
 * so a broker outage loses nothing (docs/live.md). Consumers (subscriptions,
 * caches, real-time analysis) read the broker; none of them imports a
 * department.
 */
import type { Department } from './config.js';

/** A reference to the graph entity an event is about (never a value of a protected field). */
export interface CityEventEntity {
  /** The GraphQL type name, e.g. `TrafficSensor`. */
  readonly type: string;
  /** The entity's graph id, e.g. `mob-ts-13201-01`. */
  readonly id: string;
}

/** One thing that happened in a department's data. */
export interface CityEvent {
  /**
   * Unique and deterministic for the same change (e.g. `<entity id>@<observedAt>`
   * for a reading), so a retried publish or a redelivered message is recognised
   * and counted once.
   */
  readonly id: string;
  /** The department whose data changed. */
  readonly department: Department;
  /**
   * What happened, `<subject>.<verb>` in camelCase: `reading.received`,
   * `signalPlan.changed`, `leakAlert.raised`, `citizenReport.updated`, ...
   */
  readonly type: string;
  /** The entity the event is about. */
  readonly entity: CityEventEntity;
  /** INSEE code of the district the entity is in, when it has one (filters, cache invalidation). */
  readonly district?: string;
  /** When it happened in the city (the observation time for a reading). */
  readonly occurredAt: Date;
  /** Small, public-or-keyed details the consumers need (ids, numbers); never personal data. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Where a department hands its events. Resolves once the events are durable (in the outbox). */
export interface EventPublisher {
  publish(events: readonly CityEvent[]): Promise<void>;
}

/**
 * The id of a reading, and of the `reading.received` event announcing it:
 * `<entity id>@<observedAt as ISO 8601 UTC>`, e.g.
 * `mob-ts-13201-01@2026-11-25T08:00:00.000Z`.
 */
export function readingId(entityId: string, observedAt: Date): string {
  return `${entityId}@${observedAt.toISOString()}`;
}

/** Reads a {@link readingId} back; null for anything else. */
export function parseReadingId(
  id: string,
): { entityId: string; observedAt: Date } | null {
  const at = id.lastIndexOf('@');
  if (at <= 0) return null;
  const entityId = id.slice(0, at);
  const iso = id.slice(at + 1);
  const observedAt = new Date(iso);
  if (Number.isNaN(observedAt.getTime()) || observedAt.toISOString() !== iso)
    return null;
  return { entityId, observedAt };
}
