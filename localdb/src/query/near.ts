// Internal to localdb: `$near`/`$nearSphere` in a find and the `$geoNear` stage: parsing, the index they need, and ordering by distance.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import type { Collection } from '../storage/Collection.js';
import {
  GeoError,
  distanceTo,
  geometriesAt,
  legacyPair,
  parseGeoJson,
  type DistanceUnit,
  type Position,
} from './geo.js';

/** One `$near`/`$nearSphere`/`$geoNear`: where from, how far, in which unit. */
export interface NearQuery {
  field: string;
  point: Position;
  /** The point was GeoJSON (distances in meters, 2dsphere index). */
  geoJson: boolean;
  /** `$nearSphere`, or `$geoNear` with `spherical: true`. */
  spherical: boolean;
  min?: number | undefined;
  max?: number | undefined;
  operator: string;
}

const NEAR_OPS = new Set(['$near', '$nearSphere']);

function badValue(message: string): CommandError {
  return new CommandError(ErrorCode.BadValue, message);
}

function distanceArg(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v))
    throw badValue(`${name} must be a number`);
  if (v < 0) throw badValue(`${name} must be non-negative`);
  return v;
}

/** Parses a near point: a GeoJSON Point, or a legacy pair. */
export function parseNearPoint(
  v: unknown,
  operator: string,
): { point: Position; geoJson: boolean } {
  const pair = legacyPair(v);
  if (pair !== undefined) return { point: pair, geoJson: false };
  try {
    const g = parseGeoJson(v);
    if (g.type !== 'Point')
      throw new GeoError(
        `invalid point in geo near query $geometry argument: ${JSON.stringify(v)}`,
      );
    return { point: g.coordinates, geoJson: true };
  } catch (err) {
    throw badValue(
      `invalid argument in geo near query for ${operator}: ${(err as Error).message}`,
    );
  }
}

function parseNear(
  field: string,
  cond: Document,
  operator: string,
): { near: NearQuery; rest: Document } {
  const arg = cond[operator];
  const rest: Document = {};
  let min: number | undefined;
  let max: number | undefined;
  let point: { point: Position; geoJson: boolean };
  if (isPlainObject(arg) && '$geometry' in arg) {
    point = parseNearPoint(arg['$geometry'], operator);
    max = distanceArg('$maxDistance', arg['$maxDistance']);
    min = distanceArg('$minDistance', arg['$minDistance']);
  } else {
    point = parseNearPoint(arg, operator);
  }
  for (const [op, v] of Object.entries(cond)) {
    if (op === operator) continue;
    if (op === '$maxDistance') max = distanceArg(op, v);
    else if (op === '$minDistance') min = distanceArg(op, v);
    else rest[op] = v;
  }
  return {
    near: {
      field,
      ...point,
      spherical: operator === '$nearSphere',
      min,
      max,
      operator,
    },
    rest,
  };
}

/**
 * Takes the `$near`/`$nearSphere` condition out of a filter (top level, or a top-level
 * `$and`), as MongoDB's planner does; anything nested deeper is refused by the query
 * operators themselves. Two of them are refused with "Too many geoNear expressions".
 */
export function extractNear(filter: Document): {
  filter: Document;
  near: NearQuery | undefined;
} {
  let near: NearQuery | undefined;
  const take = (doc: Document): Document => {
    const out: Document = {};
    for (const [field, cond] of Object.entries(doc)) {
      if (field === '$and' && Array.isArray(cond)) {
        out[field] = cond.map((c) => (isPlainObject(c) ? take(c) : c));
        continue;
      }
      const op = isPlainObject(cond)
        ? Object.keys(cond).find((k) => NEAR_OPS.has(k))
        : undefined;
      if (op === undefined || field.startsWith('$')) {
        out[field] = cond;
        continue;
      }
      if (near !== undefined) throw badValue('Too many geoNear expressions');
      const parsed = parseNear(field, cond as Document, op);
      near = parsed.near;
      if (Object.keys(parsed.rest).length > 0) out[field] = parsed.rest;
    }
    return out;
  };
  const rest = take(filter);
  return { filter: near === undefined ? filter : rest, near };
}

/** True if `value` holds a `$near`, `$nearSphere` or `$geoNear` anywhere. */
export function containsNear(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsNear);
  if (!isPlainObject(value)) return false;
  return Object.entries(value).some(
    ([k, v]) => NEAR_OPS.has(k) || k === '$geoNear' || containsNear(v),
  );
}

/** MongoDB's refusal of `$near` where results are not sorted (an aggregation's `$match`, countDocuments). */
export function nearNotAllowedError(): CommandError {
  return new CommandError(
    ErrorCode.Location5626500,
    '$geoNear, $near, and $nearSphere are not allowed in this context, as these operators require sorting geospatial data. If you do not need sort, consider using $geoWithin instead. Check out https://dochub.mongodb.org/core/near-sort-operation and https://dochub.mongodb.org/core/nearSphere-sort-operationfor more details.',
  );
}

/** The geo index types on `field` ('2dsphere', '2d'). */
function geoIndexTypes(coll: Collection, field: string): Set<string> {
  const out = new Set<string>();
  for (const spec of coll.indexSpecs()) {
    const t = (spec['key'] as Record<string, unknown>)[field];
    if (t === '2dsphere' || t === '2d') out.add(t);
  }
  return out;
}

/** How a near query measures, given the indexes on its field. */
export interface NearPlan {
  near: NearQuery;
  unit: DistanceUnit;
  /** With only a 2d index, GeoJSON values are not indexed and never match. */
  legacyOnly: boolean;
}

/**
 * Checks that `near` has the index it needs and picks its unit: a GeoJSON point needs a
 * 2dsphere index (meters); a legacy pair uses a 2d index (flat units, radians for
 * `$nearSphere`) or a 2dsphere index (radians). Without one, MongoDB's code 291.
 */
export function planNear(coll: Collection, near: NearQuery): NearPlan {
  const types = geoIndexTypes(coll, near.field);
  if (near.geoJson && types.has('2dsphere'))
    return { near, unit: 'meters', legacyOnly: false };
  if (!near.geoJson && types.has('2d'))
    return {
      near,
      unit: near.spherical ? 'radians' : 'flat',
      legacyOnly: true,
    };
  if (!near.geoJson && types.has('2dsphere'))
    return { near, unit: 'radians', legacyOnly: false };
  throw new CommandError(
    ErrorCode.NoQueryExecutionPlans,
    `error processing query: ns=${coll.ns}Tree: GEONEAR  field=${near.field} maxdist=${String(near.max ?? 1.79769e308)} isNearSphere=${near.spherical ? 1 : 0}\nSort: {}\nProj: {}\n planner returned error :: caused by :: unable to find index for $geoNear query`,
  );
}

/** A document with its distance to the near point and the location that was nearest. */
export interface NearHit {
  doc: Document;
  distance: number;
  location: unknown;
}

/** The documents within the near query's bounds, nearest first (ties keep their order). */
export function orderByDistance(
  docs: readonly Document[],
  plan: NearPlan,
): NearHit[] {
  const { near, unit, legacyOnly } = plan;
  const hits: NearHit[] = [];
  for (const doc of docs) {
    let best: NearHit | undefined;
    for (const value of geometriesAt(doc, near.field)) {
      if (legacyOnly && !value.legacy) continue;
      const d = distanceTo(value, near.point, unit);
      if (near.max !== undefined && d > near.max) continue;
      if (near.min !== undefined && d < near.min) continue;
      if (best === undefined || d < best.distance)
        best = { doc, distance: d, location: value.raw };
    }
    if (best !== undefined) hits.push(best);
  }
  return hits.sort((a, b) => a.distance - b.distance);
}
