/**
 * The checks every observation goes through, driven by its type's
 * {@link ObservationSpec}: device, time, quantities (type, unit, range) and
 * location. Pure: the device registry and the city's geography are passed in.
 */
import type { NgsiAttribute, NgsiEntity } from './ngsiEntity.js';
import { graphIdOf } from './ngsiEntity.js';
import { parseObservationTime } from './observationTime.js';
import type { ObservationSpec } from './observationSpec.js';
import {
  qualityOf,
  type QualityFlag,
  type RecordQuality,
  type RecordSource,
  type RejectionReason,
} from './quality.js';
import { convertUnit } from './unitCodes.js';

/** A WGS84 point. */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** The city's geography, as the pipeline needs it. */
export interface CityGeography {
  /** Whether the point is in Marseille. */
  contains(point: LatLon): boolean;
  /** The INSEE code of the district the point is in (null outside the city). */
  districtAt(point: LatLon): string | null;
}

/** A registered device (sensor, station, meter) as the pipeline needs it. */
export interface DeviceInfo {
  /** Its graph id. */
  readonly id: string;
  /** INSEE code of its district. */
  readonly district: string;
  readonly location: LatLon;
  /** Upper bounds of this device's own (a station's capacity), by quantity field. */
  readonly limits?: Readonly<Record<string, number>>;
}

/** An observation that passed every check. */
export interface ValidatedObservation {
  /** The reading's graph id: `<device id>@<observedAt ISO>`, the same for a resent observation. */
  readonly id: string;
  /** The entity id as the payload gave it. */
  readonly entityId: string;
  /** The FIWARE type. */
  readonly type: string;
  readonly deviceId: string;
  readonly district: string;
  /** End of the observation interval. */
  readonly observedAt: Date;
  /** Start of the interval, when the payload gave one. */
  readonly intervalStart: Date | null;
  /** Each quantity of the type in its stored unit; null when the payload lacks it. */
  readonly values: Readonly<Record<string, number | null>>;
  /** Each text property of the type (as stored); null when the payload lacks it. */
  readonly texts: Readonly<Record<string, string | null>>;
  /** Where the payload says it was observed (after a swap fix), or null. */
  readonly location: LatLon | null;
  readonly quality: RecordQuality;
  readonly source: RecordSource;
  readonly receivedAt: Date;
}

/** The verdict on one observation. */
export type ObservationVerdict =
  | { readonly ok: true; readonly record: ValidatedObservation }
  | {
      readonly ok: false;
      readonly reason: RejectionReason;
      readonly detail: string;
    };

/** What {@link validateObservation} is given besides the entity. */
export interface ValidationContext {
  /** The registered device the entity names (looked up in a batch), or undefined. */
  readonly device: DeviceInfo | undefined;
  readonly geography: CityGeography;
  readonly source: RecordSource;
  readonly receivedAt: Date;
  /** How far ahead of `receivedAt` an observation may be (clock skew), in ms. */
  readonly maxClockSkewMs: number;
}

const DAY_MS = 86_400_000;

/** Attributes by lower-case name, for the case-insensitive lookups. */
function attributeIndex(entity: NgsiEntity): Map<string, NgsiAttribute> {
  const index = new Map<string, NgsiAttribute>();
  for (const [name, attribute] of entity.attributes)
    if (!index.has(name.toLowerCase()))
      index.set(name.toLowerCase(), attribute);
  return index;
}

function first(
  index: Map<string, NgsiAttribute>,
  names: readonly string[],
): { name: string; attribute: NgsiAttribute } | undefined {
  for (const name of names) {
    const attribute = index.get(name.toLowerCase());
    if (attribute !== undefined && attribute.value !== null)
      return { name, attribute };
  }
  return undefined;
}

/** The device id an entity names (before looking it up), or null. */
export function deviceIdOf(
  entity: NgsiEntity,
  spec: ObservationSpec,
): string | null {
  const index = attributeIndex(entity);
  for (const name of spec.deviceAttributes) {
    if (name === '@id') return graphIdOf(entity.id);
    const found = index.get(name.toLowerCase());
    if (found === undefined) continue;
    const value = Array.isArray(found.value) ? found.value[0] : found.value;
    if (typeof value === 'string' && value.trim() !== '')
      return graphIdOf(value.trim());
  }
  return null;
}

/** The first coordinate pair of a GeoJSON geometry, as [x, y]. */
function firstPosition(geometry: unknown): [number, number] | null {
  if (typeof geometry !== 'object' || geometry === null) return null;
  let coordinates: unknown = (geometry as { coordinates?: unknown })
    .coordinates;
  while (Array.isArray(coordinates) && Array.isArray(coordinates[0]))
    coordinates = coordinates[0];
  if (
    Array.isArray(coordinates) &&
    coordinates.length >= 2 &&
    typeof coordinates[0] === 'number' &&
    typeof coordinates[1] === 'number' &&
    Number.isFinite(coordinates[0]) &&
    Number.isFinite(coordinates[1])
  )
    return [coordinates[0], coordinates[1]];
  return null;
}

/** Great-circle distance in metres. */
export function distanceMetres(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

const reject = (
  reason: RejectionReason,
  detail: string,
): ObservationVerdict => ({ ok: false, reason, detail });

/** Validates one observation against its type's spec. */
export function validateObservation(
  entity: NgsiEntity,
  spec: ObservationSpec,
  context: ValidationContext,
): ObservationVerdict {
  const index = attributeIndex(entity);
  const flags: QualityFlag[] = [];

  // Device.
  const deviceId = deviceIdOf(entity, spec);
  if (deviceId === null)
    return reject(
      'UNKNOWN_DEVICE',
      `${spec.type} must name its device in ${spec.deviceAttributes.filter((a) => a !== '@id').join(' or ') || 'its id'}.`,
    );
  const device = context.device;
  if (!device || device.id !== deviceId)
    return reject(
      'UNKNOWN_DEVICE',
      `No registered ${spec.deviceType} "${deviceId}": register it first, then replay the quarantined record.`,
    );

  // Time.
  const timed = first(index, spec.timeAttributes);
  let timeText: string | undefined;
  if (timed) {
    if (typeof timed.attribute.value !== 'string')
      return reject(
        'INVALID_TIME',
        `"${timed.name}" must be an ISO 8601 date-time or interval string.`,
      );
    timeText = timed.attribute.value;
  } else {
    // NGSI-LD normalized entities may carry the time on each quantity.
    const times = spec.quantities
      .map((q) => first(index, q.attributes)?.attribute.observedAt)
      .filter((t): t is string => t !== undefined)
      .sort();
    timeText = times.at(-1);
  }
  if (timeText === undefined)
    return reject(
      'INVALID_TIME',
      `${spec.type} needs an observation time (${spec.timeAttributes.join(' or ')}, or observedAt on its quantities).`,
    );
  const time = parseObservationTime(timeText);
  if (!time)
    return reject(
      'INVALID_TIME',
      `"${timeText}" is not an ISO 8601 date-time or interval (start/end).`,
    );
  if (
    time.observedAt.getTime() >
    context.receivedAt.getTime() + context.maxClockSkewMs
  )
    return reject(
      'FUTURE_TIME',
      `Observed at ${time.observedAt.toISOString()}, after the time it was received (${context.receivedAt.toISOString()}, ${context.maxClockSkewMs / 1000} s of clock skew allowed).`,
    );
  if (time.zoneAssumed) flags.push('TIMEZONE_ASSUMED');
  if (context.receivedAt.getTime() - time.observedAt.getTime() > DAY_MS)
    flags.push('LATE_ARRIVAL');
  const intervalMs =
    time.from === null ? null : time.observedAt.getTime() - time.from.getTime();

  // Quantities.
  const values: Record<string, number | null> = {};
  let present = 0;
  for (const quantity of spec.quantities) {
    const found = first(index, quantity.attributes);
    if (!found) {
      values[quantity.field] = null;
      continue;
    }
    const raw = found.attribute.value;
    if (typeof raw !== 'number' || !Number.isFinite(raw))
      return reject(
        'ATTRIBUTE_TYPE',
        `"${found.name}" must be a number, got ${JSON.stringify(raw)?.slice(0, 80) ?? typeof raw}.`,
      );
    let value = raw;
    const unitCode = found.attribute.unitCode;
    if (unitCode === undefined) {
      // A count or a ratio has no unit to assume (a ratio sent in percent
      // fails the 0-to-1 range instead).
      if (quantity.dimension !== 'count' && quantity.dimension !== 'ratio')
        flags.push('UNIT_ASSUMED');
    } else {
      const converted = convertUnit(raw, unitCode, quantity.dimension, {
        ...(quantity.molarMass === undefined
          ? {}
          : { molarMass: quantity.molarMass }),
      });
      if (!converted.ok)
        return reject(
          'UNIT_NOT_CONVERTIBLE',
          `"${found.name}": ${converted.reason}.`,
        );
      value = converted.value;
    }
    if (quantity.perHour) {
      if (intervalMs === null || intervalMs <= 0) {
        flags.push('INTERVAL_ASSUMED');
      } else {
        value = (value * 3_600_000) / intervalMs;
      }
    }
    if (quantity.integer && !Number.isInteger(value))
      return reject(
        'ATTRIBUTE_TYPE',
        `"${found.name}" must be a whole number, got ${value}.`,
      );
    const [min, max] = quantity.possible;
    if (value < min || value > max)
      return reject(
        'OUT_OF_RANGE',
        `"${found.name}" is ${round(value)}, outside the possible range ${min} to ${max}.`,
      );
    const limit = device.limits?.[quantity.field];
    if (limit !== undefined && value > limit)
      return reject(
        'OUT_OF_RANGE',
        `"${found.name}" is ${round(value)}, more than ${spec.deviceType} ${device.id} can hold (${limit}).`,
      );
    const [low, high] = quantity.plausible;
    if (value < low || value > high) flags.push('IMPLAUSIBLE_VALUE');
    values[quantity.field] = value;
    present += 1;
  }
  const texts: Record<string, string | null> = {};
  for (const text of spec.texts ?? []) {
    const found = first(index, text.attributes);
    if (!found) {
      texts[text.field] = null;
      continue;
    }
    const raw = found.attribute.value;
    if (typeof raw !== 'string' || raw.trim() === '')
      return reject(
        'ATTRIBUTE_TYPE',
        `"${found.name}" must be a text, got ${JSON.stringify(raw)?.slice(0, 80) ?? typeof raw}.`,
      );
    if (text.values) {
      const stored = text.values[raw.trim().toLowerCase()];
      if (stored === undefined)
        return reject(
          'ATTRIBUTE_TYPE',
          `"${found.name}" is "${raw.slice(0, 40)}": accepted values are ${Object.keys(text.values).join(', ')}.`,
        );
      texts[text.field] = stored;
    } else texts[text.field] = raw.trim().slice(0, 200);
    present += 1;
  }
  const expected = spec.quantities.length + (spec.texts?.length ?? 0);
  if (present === 0)
    return reject(
      'NO_QUANTITY',
      `${spec.type} carries none of ${[...spec.quantities, ...(spec.texts ?? [])].flatMap((q) => q.attributes[0] ?? []).join(', ')}.`,
    );
  if (present < expected) flags.push('INCOMPLETE');
  flags.push(...(spec.crossCheck?.(values) ?? []));

  // Location.
  let location: LatLon | null = null;
  const located = index.get('location');
  if (located !== undefined && located.value !== null) {
    const position = firstPosition(located.value);
    if (!position)
      return reject(
        'INVALID_LOCATION',
        '"location" must be a GeoJSON geometry with [longitude, latitude] coordinates.',
      );
    const [x, y] = position;
    const asGiven = { lat: y, lon: x };
    const swapped = { lat: x, lon: y };
    if (context.geography.contains(asGiven)) location = asGiven;
    else if (context.geography.contains(swapped)) {
      location = swapped;
      flags.push('COORDINATES_SWAPPED');
    } else
      return reject(
        'OUTSIDE_CITY',
        `The location [${x}, ${y}] (longitude, latitude) is not in Marseille.`,
      );
    const district = context.geography.districtAt(location);
    if (district !== null && district !== device.district)
      flags.push('LOCATION_DISTRICT_MISMATCH');
    if (distanceMetres(location, device.location) > 1000)
      flags.push('LOCATION_FAR_FROM_DEVICE');
  }

  return {
    ok: true,
    record: {
      id: `${device.id}@${time.observedAt.toISOString()}`,
      entityId: entity.id,
      type: spec.type,
      deviceId: device.id,
      district: device.district,
      observedAt: time.observedAt,
      intervalStart: time.from,
      values,
      texts,
      location,
      quality: qualityOf(flags, present / expected),
      source: context.source,
      receivedAt: context.receivedAt,
    },
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
