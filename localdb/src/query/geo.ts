// Internal to localdb: GeoJSON and legacy coordinate pairs, validated as MongoDB does, and the geo predicates and distances (through turf).
import { booleanIntersects } from '@turf/boolean-intersects';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { booleanWithin } from '@turf/boolean-within';
import { distance as turfDistance } from '@turf/distance';
import { kinks } from '@turf/kinks';
import { pointToLineDistance } from '@turf/point-to-line-distance';
import { isPlainObject } from '../isPlainObject.js';

/** MongoDB's earth radius (kRadiusOfEarthInMeters): meters = radians × this. */
export const EARTH_RADIUS_METERS = 6378100;

/** A [longitude, latitude] (or legacy [x, y]) position. */
export type Position = [number, number];

/** The GeoJSON geometries MongoDB's 2dsphere accepts. */
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'GeometryCollection'; geometries: Geometry[] };

/** A stored geo value: GeoJSON, or a legacy coordinate pair (which only a 2d index reads as flat). */
export interface GeoValue {
  geometry: Geometry;
  legacy: boolean;
  /** The value as stored. */
  raw: unknown;
}

/** Why a value is not a valid geometry; the message is MongoDB's wording. */
export class GeoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeoError';
  }
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function position(v: unknown, spherical: boolean): Position {
  if (!Array.isArray(v) || v.length < 2 || !v.every(isNumber))
    throw new GeoError('Point must only contain numeric elements');
  const [lng, lat] = v as number[];
  if (
    spherical &&
    ((lng as number) < -180 ||
      (lng as number) > 180 ||
      (lat as number) < -90 ||
      (lat as number) > 90)
  ) {
    throw new GeoError(
      `longitude/latitude is out of bounds, lng: ${String(lng)} lat: ${String(lat)}`,
    );
  }
  return [lng as number, lat as number];
}

function positions(v: unknown, what: string): Position[] {
  if (!Array.isArray(v))
    throw new GeoError(`${what} coordinates must be an array`);
  return v.map((p) => position(p, true));
}

function ring(v: unknown): Position[] {
  const pts = positions(v, 'Polygon');
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (
    first === undefined ||
    last === undefined ||
    first[0] !== last[0] ||
    first[1] !== last[1]
  )
    throw new GeoError(
      'Loop is not closed, first vertex does not equal last vertex',
    );
  const distinct = new Set(pts.map((p) => `${p[0]},${p[1]}`));
  if (pts.length < 4 || distinct.size < 3)
    throw new GeoError('Loop must have at least 3 different vertices');
  return pts;
}

function polygon(v: unknown): Position[][] {
  if (!Array.isArray(v) || v.length === 0)
    throw new GeoError('Polygon coordinates must be an array of loops');
  const rings = v.map(ring);
  const crossings = kinks({ type: 'Polygon', coordinates: rings });
  if (crossings.features.length > 0)
    throw new GeoError('Loop is not valid: edges cross');
  return rings;
}

function lineString(v: unknown): Position[] {
  const pts = positions(v, 'LineString');
  if (pts.length < 2)
    throw new GeoError('GeoJSON LineString must have at least 2 vertices');
  return pts;
}

/** Parses and validates a GeoJSON geometry object. Throws GeoError with MongoDB's reason. */
export function parseGeoJson(v: unknown): Geometry {
  if (!isPlainObject(v))
    throw new GeoError('geo element must be an array or object');
  const type = v['type'];
  const coords = v['coordinates'];
  switch (type) {
    case 'Point':
      if (coords === undefined)
        throw new GeoError(
          'Point must be an array or object, instead got type missing',
        );
      return { type, coordinates: position(coords, true) };
    case 'LineString':
      return { type, coordinates: lineString(coords) };
    case 'Polygon':
      return { type, coordinates: polygon(coords) };
    case 'MultiPoint':
      if (!Array.isArray(coords) || coords.length === 0)
        throw new GeoError(
          'MultiPoint coordinates must have at least 1 element',
        );
      return { type, coordinates: positions(coords, 'MultiPoint') };
    case 'MultiLineString':
      if (!Array.isArray(coords) || coords.length === 0)
        throw new GeoError(
          'MultiLineString coordinates must have at least 1 element',
        );
      return { type, coordinates: coords.map(lineString) };
    case 'MultiPolygon':
      if (!Array.isArray(coords) || coords.length === 0)
        throw new GeoError(
          'MultiPolygon coordinates must have at least 1 element',
        );
      return { type, coordinates: coords.map(polygon) };
    case 'GeometryCollection': {
      const geoms = v['geometries'];
      if (!Array.isArray(geoms))
        throw new GeoError('GeometryCollection geometries must be an array');
      return { type, geometries: geoms.map(parseGeoJson) };
    }
    default:
      throw new GeoError(`unknown GeoJSON type: ${JSON.stringify(v)}`);
  }
}

/** A legacy coordinate pair (`[x, y]` or `{ any: x, other: y }`), or undefined if `v` is not one. */
export function legacyPair(v: unknown): Position | undefined {
  if (Array.isArray(v)) {
    if (v.length >= 2 && isNumber(v[0]) && isNumber(v[1])) return [v[0], v[1]];
    return undefined;
  }
  if (isPlainObject(v) && !('type' in v)) {
    const vals = Object.values(v);
    if (vals.length >= 2 && isNumber(vals[0]) && isNumber(vals[1]))
      return [vals[0], vals[1]];
  }
  return undefined;
}

/** A stored value as geometry: GeoJSON or a legacy pair. Throws GeoError for anything else. */
export function parseStored(v: unknown): GeoValue {
  const pair = legacyPair(v);
  if (pair !== undefined)
    return {
      geometry: { type: 'Point', coordinates: pair },
      legacy: true,
      raw: v,
    };
  if (!isPlainObject(v) && !Array.isArray(v))
    throw new GeoError(
      `geo element must be an array or object: ${JSON.stringify(v)}`,
    );
  return { geometry: parseGeoJson(v), legacy: false, raw: v };
}

function collect(
  value: unknown,
  parts: readonly string[],
  i: number,
  out: unknown[],
): void {
  if (value === undefined || value === null) return;
  if (i === parts.length) {
    // An array is one legacy pair, or a list of geo values (points or GeoJSON objects).
    if (Array.isArray(value) && legacyPair(value) === undefined)
      for (const el of value) {
        if (el !== undefined && el !== null) out.push(el);
      }
    else out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const el of value) collect(el, parts, i, out);
    return;
  }
  if (isPlainObject(value))
    collect(value[parts[i] as string], parts, i + 1, out);
}

/** The raw geo values of `path` in `doc` (arrays along the path expanded; none when missing or null). */
export function geoValuesAt(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out;
}

/** The geometries of `path` in `doc`, skipping values that are not geometries. */
export function geometriesAt(doc: unknown, path: string): GeoValue[] {
  const out: GeoValue[] = [];
  for (const v of geoValuesAt(doc, path)) {
    try {
      out.push(parseStored(v));
    } catch {
      // Not a geometry: a geo predicate does not match it (MongoDB skips it too).
    }
  }
  return out;
}

function vertices(g: Geometry): Position[] {
  switch (g.type) {
    case 'Point':
      return [g.coordinates];
    case 'LineString':
    case 'MultiPoint':
      return g.coordinates;
    case 'Polygon':
    case 'MultiLineString':
      return g.coordinates.flat();
    case 'MultiPolygon':
      return g.coordinates.flat(2);
    case 'GeometryCollection':
      return g.geometries.flatMap(vertices);
  }
}

function parts(g: Geometry): Geometry[] {
  return g.type === 'GeometryCollection' ? g.geometries.flatMap(parts) : [g];
}

/** Angular distance in radians between two positions on the sphere (turf's haversine). */
function radiansBetween(a: Position, b: Position): number {
  return turfDistance(a, b, { units: 'radians' });
}

/** A region for `$geoWithin`. */
export type WithinShape =
  | { kind: 'geometry'; geometry: Geometry }
  | { kind: 'centerSphere'; center: Position; radius: number }
  | { kind: 'box'; lo: Position; hi: Position }
  | { kind: 'center'; center: Position; radius: number }
  | { kind: 'polygon'; points: Position[] };

function badShape(message: string): GeoError {
  return new GeoError(message);
}

/** Parses the argument of `$geoWithin`. Throws GeoError for a malformed shape. */
export function parseWithin(arg: unknown): WithinShape {
  if (!isPlainObject(arg))
    throw badShape('$geoWithin not must be an object: ' + JSON.stringify(arg));
  const [op] = Object.keys(arg);
  const v = arg[op ?? ''];
  switch (op) {
    case '$geometry': {
      const geometry = parseGeoJson(v);
      if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')
        throw badShape(
          `$geoWithin not supported with provided geometry: ${JSON.stringify(arg)}`,
        );
      return { kind: 'geometry', geometry };
    }
    case '$centerSphere':
    case '$center': {
      if (!Array.isArray(v) || v.length !== 2 || !isNumber(v[1]) || v[1] < 0)
        throw badShape(`malformed query, ${op} requires [center, radius]`);
      const center = legacyPair(v[0]);
      if (center === undefined)
        throw badShape(`malformed query, invalid center in ${op}`);
      if (op === '$centerSphere') position(center, true);
      return {
        kind: op === '$center' ? 'center' : 'centerSphere',
        center,
        radius: v[1],
      };
    }
    case '$box': {
      const lo = Array.isArray(v) ? legacyPair(v[0]) : undefined;
      const hi = Array.isArray(v) ? legacyPair(v[1]) : undefined;
      if (lo === undefined || hi === undefined)
        throw badShape('malformed query, $box requires two points');
      return {
        kind: 'box',
        lo: [Math.min(lo[0], hi[0]), Math.min(lo[1], hi[1])],
        hi: [Math.max(lo[0], hi[0]), Math.max(lo[1], hi[1])],
      };
    }
    case '$polygon': {
      const points = Array.isArray(v) ? v.map(legacyPair) : [];
      if (points.length < 3 || points.some((p) => p === undefined))
        throw badShape('Polygon must have at least 3 points');
      return { kind: 'polygon', points: points as Position[] };
    }
    default:
      throw badShape(`unknown geo specifier: ${String(op)}`);
  }
}

function withinFlatPolygon(p: Position, ring: Position[]): boolean {
  const first = ring[0] as Position;
  const closed = [...ring, first];
  return booleanPointInPolygon(p, { type: 'Polygon', coordinates: [closed] });
}

/** True when the stored geometry lies inside the shape. */
export function within(value: GeoValue, shape: WithinShape): boolean {
  const g = value.geometry;
  switch (shape.kind) {
    case 'geometry':
      return parts(g).every((p) => booleanWithin(p, shape.geometry));
    case 'centerSphere':
      return vertices(g).every(
        (p) => radiansBetween(p, shape.center) <= shape.radius,
      );
    case 'center':
      return vertices(g).every(
        (p) =>
          Math.hypot(p[0] - shape.center[0], p[1] - shape.center[1]) <=
          shape.radius,
      );
    case 'box':
      return vertices(g).every(
        (p) =>
          p[0] >= shape.lo[0] &&
          p[0] <= shape.hi[0] &&
          p[1] >= shape.lo[1] &&
          p[1] <= shape.hi[1],
      );
    case 'polygon':
      return vertices(g).every((p) => withinFlatPolygon(p, shape.points));
  }
}

/** Parses the argument of `$geoIntersects` (`{ $geometry: <GeoJSON> }`). */
export function parseIntersects(arg: unknown): Geometry {
  if (!isPlainObject(arg) || !('$geometry' in arg))
    throw new GeoError(
      `$geoIntersects requires a $geometry: ${JSON.stringify(arg)}`,
    );
  return parseGeoJson(arg['$geometry']);
}

/** True when the stored geometry and `geometry` share a point. */
export function intersects(value: GeoValue, geometry: Geometry): boolean {
  return parts(value.geometry).some((a) =>
    parts(geometry).some((b) => booleanIntersects(a, b)),
  );
}

/** How distances are measured: meters or radians on the sphere, or flat units (2d). */
export type DistanceUnit = 'meters' | 'radians' | 'flat';

function sphericalRadians(g: Geometry, from: Position): number {
  switch (g.type) {
    case 'Point':
      return radiansBetween(from, g.coordinates);
    case 'MultiPoint':
      return Math.min(...g.coordinates.map((p) => radiansBetween(from, p)));
    case 'LineString':
      return pointToLineDistance(from, g, { units: 'radians' });
    case 'MultiLineString':
      return Math.min(
        ...g.coordinates.map((c) =>
          pointToLineDistance(
            from,
            { type: 'LineString', coordinates: c },
            {
              units: 'radians',
            },
          ),
        ),
      );
    case 'Polygon':
    case 'MultiPolygon': {
      const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      if (
        polys.some((rings) =>
          booleanPointInPolygon(from, { type: 'Polygon', coordinates: rings }),
        )
      )
        return 0;
      return Math.min(
        ...polys
          .flat()
          .map((c) =>
            pointToLineDistance(
              from,
              { type: 'LineString', coordinates: c },
              { units: 'radians' },
            ),
          ),
      );
    }
    case 'GeometryCollection':
      return Math.min(...g.geometries.map((p) => sphericalRadians(p, from)));
  }
}

/** Distance from `from` to the nearest point of the stored geometry, in `unit`. */
export function distanceTo(
  value: GeoValue,
  from: Position,
  unit: DistanceUnit,
): number {
  if (unit === 'flat')
    return Math.min(
      ...vertices(value.geometry).map((p) =>
        Math.hypot(p[0] - from[0], p[1] - from[1]),
      ),
    );
  const r = sphericalRadians(value.geometry, from);
  return unit === 'meters' ? r * EARTH_RADIUS_METERS : r;
}
