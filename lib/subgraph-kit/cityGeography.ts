/**
 * Marseille's geography as the ingestion pipeline checks it.
 *
 * The reference data has no arrondissement boundaries (only an approximate
 * point per arrondissement, see data/marseille/SOURCES.md: the IGN
 * ADMIN-EXPRESS polygons could not be copied in), so the checks are
 * approximate and say so in docs/ingestion.md:
 * - in Marseille: inside the city's bounding box (the same box the models
 *   validate locations against) and within 6 km of an arrondissement's point;
 * - district: the arrondissement whose point is nearest (a Voronoi partition
 *   of the 16 points), which only flags a mismatch, never rejects.
 * TODO(v2): load the arrondissement polygons and test point-in-polygon.
 */
import type { CityGeography, LatLon } from '../ingest/validateObservation.js';
import { distanceMetres } from '../ingest/validateObservation.js';
import { DISTRICTS, MARSEILLE_BOUNDS } from './districts.js';

// The farthest a point of the city lies from its arrondissement's point
// (the 16e and the calanques of the 9e are about 5 km across).
const MAX_DISTANCE_M = 6_000;

function nearest(point: LatLon): { code: string; metres: number } | null {
  let best: { code: string; metres: number } | null = null;
  for (const district of DISTRICTS) {
    const metres = distanceMetres(point, district.center);
    if (best === null || metres < best.metres)
      best = { code: district.code, metres };
  }
  return best;
}

function inBounds(point: LatLon): boolean {
  return (
    point.lat >= MARSEILLE_BOUNDS.minLat &&
    point.lat <= MARSEILLE_BOUNDS.maxLat &&
    point.lon >= MARSEILLE_BOUNDS.minLon &&
    point.lon <= MARSEILLE_BOUNDS.maxLon
  );
}

/** The city's geography for the pipeline. */
export const cityGeography: CityGeography = {
  contains(point) {
    if (!inBounds(point)) return false;
    const found = nearest(point);
    return found !== null && found.metres <= MAX_DISTANCE_M;
  },
  districtAt(point) {
    if (!this.contains(point)) return null;
    return nearest(point)?.code ?? null;
  },
};
