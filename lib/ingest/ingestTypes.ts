/**
 * Which department ingests which FIWARE entity type: the gateway routes each
 * entity of a batch by this table (no department's schema is known here,
 * only its name), and a caller needs the department's ingest scope.
 */
import type { Department } from '../runtime/config.js';
import { graphIdOf } from './ngsiEntity.js';

/** FIWARE entity type → the department that owns (and ingests) it. */
export const INGEST_TYPES: Readonly<Record<string, Department>> = Object.freeze(
  {
    TrafficFlowObserved: 'mobility',
    BikeHireDockingStation: 'mobility',
    GtfsStop: 'mobility',
    GtfsRoute: 'mobility',
    AirQualityObserved: 'environment',
    NoiseLevelObserved: 'environment',
    WaterConsumptionObserved: 'environment',
    Business: 'economy',
    Open311ServiceRequest: 'engagement',
    ServiceRequest: 'engagement',
    // Public posts, through the social webhook only (gateway/src/socialRoutes.ts).
    SocialMediaPost: 'engagement',
  },
);

/**
 * `Device` entities (a status report of a device itself) belong to the
 * department whose device it is, told by the graph id's prefix.
 */
const DEVICE_PREFIXES: readonly [string, Department][] = [['mob-', 'mobility']];

/** The department that ingests `type`, or undefined for a type nobody ingests. */
export function departmentForType(type: string): Department | undefined {
  return Object.hasOwn(INGEST_TYPES, type) ? INGEST_TYPES[type] : undefined;
}

/** The department that ingests this entity (by type, and for `Device` by id), or undefined. */
export function departmentForEntity(
  type: string,
  id: string,
): Department | undefined {
  if (type === 'Device') {
    const graphId = graphIdOf(id);
    return DEVICE_PREFIXES.find(([prefix]) => graphId.startsWith(prefix))?.[1];
  }
  return departmentForType(type);
}

/** The scope a caller needs to ingest for `department`: `<department>:ingest`. */
export function ingestScope(department: Department): string {
  return `${department}:ingest`;
}
