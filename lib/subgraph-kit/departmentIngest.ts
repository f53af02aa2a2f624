/**
 * A department's ingestion pipeline, assembled the same way for every
 * department: its own handlers, its own quarantine and statistics collections, the city's
 * geography and the department's event publisher.
 */
import type { EventPublisher } from '../runtime/cityEvents.js';
import type { Department } from '../runtime/config.js';
import type { Logger } from '../runtime/logger.js';
import {
  createIngestPipeline,
  type EntityHandler,
  type IngestPipeline,
  type ObservationHandler,
} from '../ingest/createIngestPipeline.js';
import {
  createQuarantine,
  type QuarantineCollection,
} from '../ingest/quarantine.js';
import {
  createIngestStats,
  type IngestStatsCollection,
} from '../ingest/ingestStats.js';
import { cityGeography } from './cityGeography.js';

/** Options of {@link createDepartmentIngest}. */
export interface DepartmentIngestOptions {
  readonly department: Department;
  readonly handlers: readonly ObservationHandler[];
  /** Handlers of types that are not observations (citizen reports). @default [] */
  readonly entityHandlers?: readonly EntityHandler[];
  /** The department's `ingest_quarantine` collection (`Model.collection`). */
  readonly quarantine: QuarantineCollection;
  /** The department's `ingest_stats` collection (`Model.collection`): the data-quality view's counts. */
  readonly stats: IngestStatsCollection;
  /** The department's publisher; without one, events are discarded (and logged at debug). */
  readonly events: EventPublisher | undefined;
  readonly logger: Logger;
}

/** Builds the department's pipeline. */
export function createDepartmentIngest(
  options: DepartmentIngestOptions,
): IngestPipeline {
  const events: EventPublisher = options.events ?? {
    async publish(list) {
      options.logger.debug(
        { department: options.department, events: list.length },
        'no event publisher wired: events discarded',
      );
    },
  };
  return createIngestPipeline({
    department: options.department,
    handlers: options.handlers,
    entityHandlers: options.entityHandlers ?? [],
    quarantine: createQuarantine(options.quarantine),
    stats: createIngestStats(options.stats),
    events,
    geography: cityGeography,
    logger: options.logger,
  });
}
