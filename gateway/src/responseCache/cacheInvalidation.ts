/**
 * Not public: what drops cached answers (docs/performance.md, "Response
 * cache"). Three sources, all by entity (`<Type>:<key>`):
 *
 * - **mutations through this gateway**: the entities of the mutation's own
 *   answer, before that answer leaves (responseCachePlugin);
 * - **readings ingested through this gateway** (NGSI, MQTT): each created
 *   reading's device, before the sender gets its answer
 *   ({@link ingestedEntities}); the device's type is not known to the
 *   gateway, so the device id is dropped under each entity type of the
 *   department that accepted it;
 * - **the departments' events** (docs/live.md: every accepted reading and
 *   every state change, from every replica and every door): the event's
 *   entity, and its district (`District:<INSEE code>`: a district's figures
 *   are computed from what is in it). This is what invalidates changes made
 *   through another replica (its in-process cache) and what the departments
 *   conclude themselves (leak alerts, band changes). They come from the
 *   gateway's one follower of the broker, shared with the live hub
 *   (subscriptions/followDepartmentEvents.ts), in its `invalidate` phase: a
 *   batch's entities are dropped before the hub hands the batch to any
 *   subscription, whose resolution may read the cache.
 */
import {
  parseReadingId,
  type CityEvent,
} from '../../../lib/runtime/cityEvents.js';
import { describeError } from '../../../lib/runtime/errors.js';
import type { Logger } from '../../../lib/runtime/logger.js';
import { counter } from '../../../lib/runtime/metrics.js';
import type { DepartmentEvents } from '../subscriptions/followDepartmentEvents.js';
import type { CacheModel } from './cacheModel.js';
import { entityTag } from './entityTags.js';
import type { ResponseCacheStore } from './responseCacheStore.js';

const invalidatedEntities = counter(
  'gateway_response_cache_invalidations_total',
  'Entities invalidated in the response cache, by source (mutation, ingest, event).',
  ['source'],
);
const droppedEntries = counter(
  'gateway_response_cache_invalidated_entries_total',
  'Cached answers dropped because an entity they contain was invalidated, by source.',
  ['source'],
);

/** Where an invalidation comes from. */
export type InvalidationSource = 'mutation' | 'ingest' | 'event';

/** The entities an event is about. */
export function eventEntities(event: CityEvent): string[] {
  const entities = [entityTag(event.entity.type, event.entity.id)];
  if (event.district !== undefined)
    entities.push(entityTag('District', event.district));
  return entities;
}

/**
 * The entities a department's created readings may have changed: each
 * reading's device (`<device id>@<observedAt>` → device id) under every
 * entity type the department keys by `id`.
 */
export function ingestedEntities(
  model: CacheModel,
  department: string,
  recordIds: readonly string[],
): string[] {
  const types = [...(model.keys.get(department) ?? [])]
    .filter(([, key]) => key === 'id')
    .map(([type]) => type);
  const entities = new Set<string>();
  for (const recordId of recordIds) {
    const device = parseReadingId(recordId)?.entityId;
    if (device === undefined) continue;
    for (const type of types) entities.add(entityTag(type, device));
  }
  return [...entities];
}

/** Options of {@link createCacheInvalidation}. */
export interface CacheInvalidationOptions {
  readonly store: ResponseCacheStore;
  readonly logger: Logger;
}

/** Invalidation of the response cache. */
export interface CacheInvalidation {
  invalidate(
    entities: readonly string[],
    source: InvalidationSource,
  ): Promise<void>;
  /** Takes the departments' events from the gateway's follower; resolves once it reads. */
  follow(events: DepartmentEvents): Promise<void>;
  /** Stops taking events (the follower goes on for its other consumers). */
  stop(): Promise<void>;
}

/** The response cache's invalidation (see the module comment). */
export function createCacheInvalidation(
  options: CacheInvalidationOptions,
): CacheInvalidation {
  const { store, logger } = options;
  let stopTaking: (() => void) | null = null;
  const invalidate = async (
    entities: readonly string[],
    source: InvalidationSource,
  ) => {
    if (entities.length === 0) return;
    invalidatedEntities.inc({ source }, entities.length);
    const dropped = await store.invalidate(entities);
    if (dropped > 0) droppedEntries.inc({ source }, dropped);
  };
  return {
    invalidate,
    async follow(events) {
      stopTaking?.();
      stopTaking = events.consume({
        name: 'response cache',
        phase: 'invalidate',
        onEntries: async (entries) => {
          const entities = new Set<string>();
          for (const { event } of entries)
            for (const entity of eventEntities(event)) entities.add(entity);
          try {
            await invalidate([...entities], 'event');
          } catch (error) {
            logger.error(
              { err: describeError(error) },
              'response cache: events not applied',
            );
          }
        },
      });
      await events.ready;
    },
    async stop() {
      stopTaking?.();
      stopTaking = null;
    },
  };
}
