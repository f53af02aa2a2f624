/**
 * InnovationHub: economy owns it; mobility adds the transit stop nearest to
 * it, from positions (docs/live.md, "Nearby sensors").
 */
import type { MobilityContext } from '../context.js';

/** What mobility knows of a hub: its key and, through `@requires`, its location. */
export interface InnovationHubRef {
  id: string;
  /** Economy's `location`, sent by the gateway because `nearestTransitStop` requires it. */
  location?: { lat: number; lon: number } | null;
}

/** How far a stop may be to count as the hub's nearest. */
const NEAREST_STOP_RADIUS_METERS = 3000;

export const InnovationHub = {
  // Nothing of mobility's own to load: the reference is the hub.
  __resolveReference: (ref: InnovationHubRef) => ref,
  nearestTransitStop: async (
    hub: InnovationHubRef,
    _: unknown,
    ctx: MobilityContext,
  ) => {
    // Without the location (a direct _entities call that left it out) there is nothing to measure from.
    if (!hub.location) return null;
    const [nearest] = await ctx.loaders.transitStopsNear.load({
      lat: hub.location.lat,
      lon: hub.location.lon,
      radiusMeters: NEAREST_STOP_RADIUS_METERS,
      first: 1,
    });
    return nearest?.doc ?? null;
  },
};
