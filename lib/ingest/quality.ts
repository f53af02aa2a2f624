/**
 * The quality model of ingested records: what can be wrong with a record
 * that is still worth keeping (a flag), what makes it unusable (a rejection
 * reason), and the score a record gets (docs/ingestion.md, "Quality").
 */

/**
 * Flags an accepted record may carry, with the share of the score each one
 * costs. Documented one by one in docs/ingestion.md.
 */
export const QUALITY_FLAGS = {
  /** The payload gave [lat, lon] where GeoJSON wants [lon, lat]; the city swapped them back. */
  COORDINATES_SWAPPED: 0.1,
  /** The observation's location lies in another district than its device's. */
  LOCATION_DISTRICT_MISMATCH: 0.2,
  /** The observation's location is more than 1 km from its device. */
  LOCATION_FAR_FROM_DEVICE: 0.1,
  /** A value is possible but outside the usual range for the quantity. */
  IMPLAUSIBLE_VALUE: 0.3,
  /** A time without zone designator was read as UTC. */
  TIMEZONE_ASSUMED: 0.05,
  /** A count came without its observation interval; one hour was assumed. */
  INTERVAL_ASSUMED: 0.1,
  /** A quantity with a unit came without `unitCode`; the model's default unit was assumed. */
  UNIT_ASSUMED: 0,
  /** Some of the type's quantities are missing (they are null in the graph). */
  INCOMPLETE: 0,
  /** Received more than a day after it was observed. */
  LATE_ARRIVAL: 0,
} as const;

/** One quality flag. */
export type QualityFlag = keyof typeof QUALITY_FLAGS;

/** Why a record was rejected (and quarantined). */
export const REJECTION_REASONS = {
  /** The entity is not an object with an id and a type. */
  MALFORMED_ENTITY: 'The entity is not a well-formed NGSI entity.',
  /** No department ingests this entity type. */
  UNKNOWN_TYPE: 'No department ingests this entity type.',
  /** The caller may not ingest for the department owning the type. */
  FORBIDDEN: 'The caller may not ingest this entity type.',
  /** An attribute has the wrong JSON type (text where a number is expected, ...). */
  ATTRIBUTE_TYPE: 'An attribute has the wrong type.',
  /** A unitCode that cannot be converted to the stored unit. */
  UNIT_NOT_CONVERTIBLE: 'A unit cannot be converted.',
  /** A value outside what is physically possible for the quantity. */
  OUT_OF_RANGE: 'A value is outside the possible range.',
  /** No observation time, or one that cannot be read. */
  INVALID_TIME: 'The observation time is missing or invalid.',
  /** Observed in the future (beyond the allowed clock skew). */
  FUTURE_TIME: 'The observation time is in the future.',
  /** The location is not in Marseille. */
  OUTSIDE_CITY: 'The location is outside Marseille.',
  /** The location is not a usable GeoJSON point or line. */
  INVALID_LOCATION: 'The location is not valid GeoJSON.',
  /** The device (sensor, station, meter) is not registered. */
  UNKNOWN_DEVICE: 'The device is not registered.',
  /** No quantity of the type was given. */
  NO_QUANTITY: 'The observation carries none of its quantities.',
  /** An Open311 service_code the city does not offer. */
  UNKNOWN_SERVICE_CODE: 'The service code is not one the city offers.',
  /** An MQTT message whose signature is not its device's (forged, unknown key, another device's topic). */
  DEVICE_UNAUTHENTICATED: 'The message is not signed by its device.',
  /** A social-media post that is not public (refused at the door, never kept). */
  NOT_PUBLIC: 'The post is not public.',
  /** A social-media post with no text to read. */
  NO_CONTENT: 'The post has no text.',
  /** A device signed a reading of another device. */
  DEVICE_MISMATCH:
    'The entity speaks for another device than the one that signed it.',
} as const;

/** One rejection reason. */
export type RejectionReason = keyof typeof REJECTION_REASONS;

/** A record's quality as the graph answers it. */
export interface RecordQuality {
  readonly flags: readonly QualityFlag[];
  /** 0 to 1: completeness times what the flags cost. */
  readonly score: number;
}

/**
 * The score of a record: the share of its type's quantities present,
 * times (1 - cost) of each flag, rounded to two decimals.
 */
export function qualityOf(
  flags: readonly QualityFlag[],
  completeness: number,
): RecordQuality {
  const unique = [...new Set(flags)].sort();
  let score = Math.max(0, Math.min(1, completeness));
  for (const flag of unique) score *= 1 - QUALITY_FLAGS[flag];
  return { flags: unique, score: Math.round(score * 100) / 100 };
}

/** Where a record came from. */
export type RecordSourceKind = 'partner' | 'device' | 'import' | 'seed';

/** A record's source as stored and answered by the graph. */
export interface RecordSource {
  readonly kind: RecordSourceKind;
  /** The partner's subject, the device id, the imported file name, or `seed`. */
  readonly id: string;
}
