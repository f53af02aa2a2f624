/**
 * "Nearby" computed from positions, not stored lists (docs/live.md, "Nearby
 * sensors"): a loader of the documents within a radius of each point, nearest
 * first, by one geo query per batch of points.
 *
 * Positions are stored as GeoJSON points (`[lon, lat]`, what a 2dsphere
 * index reads) beside the `{ lat, lon }` the graph answers
 * ({@link geoJsonPointOf}). A batch is one `find` whose filter is an `$or` of
 * one `$geoWithin: { $centerSphere }` per point (MongoDB's own spherical
 * query, answered from the 2dsphere index); each point's documents are then
 * the candidates within its own radius, sorted by distance. One query for a
 * whole list of stations keeps the gateway's entity fetch free of N+1.
 */
import DataLoader from 'dataloader';

/** MongoDB's earth radius (kRadiusOfEarthInMeters): `$centerSphere` radians = meters / this. */
export const EARTH_RADIUS_METERS = 6_378_100;

/** A WGS84 point as the graph answers it. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** A GeoJSON point, as stored for a 2dsphere index. */
export interface GeoJsonPoint {
  type: 'Point';
  /** `[longitude, latitude]` (GeoJSON order). */
  coordinates: [number, number];
}

/** The GeoJSON point of a `{ lat, lon }` location. */
export function geoJsonPointOf(location: LatLon): GeoJsonPoint {
  return { type: 'Point', coordinates: [location.lon, location.lat] };
}

/** The great-circle distance between two points, in radians of arc (haversine). */
export function angularDistance(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** What one lookup asks: the documents within `radiusMeters` of a point, at most `first`. */
export interface NearbyKey extends LatLon {
  radiusMeters: number;
  first: number;
}

/** One document found near a point, with its distance. */
export interface Nearby<V> {
  doc: V;
  /** Great-circle distance from the point, in meters (MongoDB's earth radius), rounded to the meter. */
  distanceMeters: number;
}

/** The minimal model surface {@link createNearbyLoader} needs (a mongoose Model satisfies it). */
export interface FindableByFilter {
  find(filter: Record<string, unknown>): {
    lean(): { exec(): Promise<unknown> };
  };
}

/** Options of {@link createNearbyLoader}. */
export interface NearbyLoaderOptions<V> {
  /** The stored GeoJSON point (2dsphere-indexed). @default 'position' */
  positionField?: string;
  /** The document's `{ lat, lon }`, to measure distances. */
  locationOf: (doc: V) => LatLon;
}

/**
 * A loader of the documents near each point, nearest first (ties by `_id`):
 * one `find` per batch of points.
 */
export function createNearbyLoader<V extends { _id: string }>(
  model: FindableByFilter,
  options: NearbyLoaderOptions<V>,
): DataLoader<NearbyKey, Nearby<V>[], string> {
  const field = options.positionField ?? 'position';
  return new DataLoader<NearbyKey, Nearby<V>[], string>(
    async (keys) => {
      const candidates = (await model
        .find({
          $or: keys.map((key) => ({
            [field]: {
              $geoWithin: {
                $centerSphere: [
                  [key.lon, key.lat],
                  key.radiusMeters / EARTH_RADIUS_METERS,
                ],
              },
            },
          })),
        })
        .lean()
        .exec()) as V[];
      return keys.map((key) =>
        candidates
          .map((doc) => ({
            doc,
            radians: angularDistance(key, options.locationOf(doc)),
          }))
          .filter(
            ({ radians }) =>
              radians * EARTH_RADIUS_METERS <= key.radiusMeters + 1e-6,
          )
          .sort(
            (a, b) =>
              a.radians - b.radians ||
              (a.doc._id < b.doc._id ? -1 : a.doc._id > b.doc._id ? 1 : 0),
          )
          .slice(0, key.first)
          .map(({ doc, radians }) => ({
            doc,
            distanceMeters: Math.round(radians * EARTH_RADIUS_METERS),
          })),
      );
    },
    {
      cacheKeyFn: (key) =>
        `${key.lat},${key.lon},${key.radiusMeters},${key.first}`,
    },
  );
}
