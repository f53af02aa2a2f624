/**
 * Which department ingests which FIWARE entity type: the gateway routes each
 * entity of a batch by this table (no department's schema is known here,
 * only its name), and a caller needs the department's ingest scope.
 */
import type { Department } from '../runtime/config.js';

/** FIWARE entity type → the department that owns (and ingests) it. */
export const INGEST_TYPES: Readonly<Record<string, Department>> = Object.freeze(
  {
    TrafficFlowObserved: 'mobility',
    AirQualityObserved: 'environment',
  },
);

/** The department that ingests `type`, or undefined for a type nobody ingests. */
export function departmentForType(type: string): Department | undefined {
  return Object.hasOwn(INGEST_TYPES, type) ? INGEST_TYPES[type] : undefined;
}

/** The scope a caller needs to ingest for `department`: `<department>:ingest`. */
export function ingestScope(department: Department): string {
  return `${department}:ingest`;
}
