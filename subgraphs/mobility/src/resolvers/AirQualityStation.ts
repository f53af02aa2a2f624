/**
 * AirQualityStation: environment owns it; mobility adds the traffic sensors
 * around it, from positions (docs/live.md, "Nearby sensors").
 */
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import type { MobilityContext } from '../context.js';

/** What mobility knows of a station: its key and, through `@requires`, its location. */
export interface AirQualityStationRef {
  id: string;
  /** Environment's `location`, sent by the gateway because `nearbyTrafficSensors` requires it. */
  location?: { lat: number; lon: number } | null;
}

/** Bounds of the nearby arguments (the schema's description says them). */
const MAX_RADIUS_METERS = 5000;
const MAX_FIRST = 50;

function checkWhole(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new BadUserInputError(
      `${name} must be a whole number from 1 to ${max}; got ${value}.`,
      { argument: name },
    );
}

export const AirQualityStation = {
  // Nothing of mobility's own to load: the reference is the station.
  __resolveReference: (ref: AirQualityStationRef) => ref,
  nearbyTrafficSensors: async (
    station: AirQualityStationRef,
    args: { radiusMeters: number; first: number },
    ctx: MobilityContext,
  ) => {
    checkWhole('radiusMeters', args.radiusMeters, MAX_RADIUS_METERS);
    checkWhole('first', args.first, MAX_FIRST);
    const location = station.location;
    // The gateway always sends it (@requires); a direct _entities call may not.
    if (!location)
      throw new BadUserInputError(
        'nearbyTrafficSensors needs the station location (lat, lon) in the representation.',
      );
    const near = await ctx.loaders.trafficSensorsNear.load({
      lat: location.lat,
      lon: location.lon,
      radiusMeters: args.radiusMeters,
      first: args.first,
    });
    return near.map(({ doc }) => doc);
  },
};
