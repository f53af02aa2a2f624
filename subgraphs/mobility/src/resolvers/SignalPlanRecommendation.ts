/**
 * SignalPlanRecommendation: the rule of analysis/signalPlanRecommendation.ts
 * applied to each traffic light, on the readings of the sensors near it
 * (docs/live.md, "Signal-plan recommendations").
 */
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import { districtFilter } from '../../../../lib/subgraph-kit/districts.js';
import {
  recommendSignalPlan,
  type SignalPlanRecommendation as RecommendationValue,
} from '../analysis/signalPlanRecommendation.js';
import type { MobilityContext } from '../context.js';
import type { TrafficLightDoc } from '../models/index.js';

/** A recommendation as the resolvers pass it on: the rule's answer and its light. */
export interface SignalPlanRecommendationValue extends RecommendationValue {
  readonly light: TrafficLightDoc;
  readonly at: Date;
  readonly radiusMeters: number;
}

/** Arguments of `Query.signalPlanRecommendations`. */
export interface SignalPlanRecommendationsArgs {
  district?: string | null;
  at?: Date | null;
  radiusMeters: number;
}

const MAX_RADIUS_METERS = 5000;
/** Sensors per light the rule reads, nearest first (the nearby loader's own maximum). */
const SENSORS_PER_LIGHT = 50;
/** The longer of the rule's windows: what is read before `at`. */
const LONGEST_WINDOW_MS = 15 * 60_000;

/**
 * The recommendations for the lights of a district (or all), by light id.
 * Three reads whatever the number of lights: the lights, one geo query for
 * all their nearby sensors, one range read of those sensors' readings.
 */
export async function signalPlanRecommendations(
  args: SignalPlanRecommendationsArgs,
  ctx: MobilityContext,
): Promise<SignalPlanRecommendationValue[]> {
  const filter = districtFilter(args.district);
  const { radiusMeters } = args;
  if (
    !Number.isInteger(radiusMeters) ||
    radiusMeters < 1 ||
    radiusMeters > MAX_RADIUS_METERS
  )
    throw new BadUserInputError(
      `radiusMeters must be a whole number from 1 to ${MAX_RADIUS_METERS}; got ${radiusMeters}.`,
      { argumentName: 'radiusMeters' },
    );
  const at = args.at ?? new Date();
  // A light under maintenance cannot take a new plan (canControlTrafficLight):
  // recommending one would be advice nobody may apply.
  const lights = (await ctx.queries.trafficLightsWhere(filter)).filter(
    (light) => light.status !== 'MAINTENANCE',
  );
  const nearby = await Promise.all(
    lights.map((light) =>
      ctx.loaders.trafficSensorsNear.load({
        lat: light.location.lat,
        lon: light.location.lon,
        radiusMeters,
        first: SENSORS_PER_LIGHT,
      }),
    ),
  );
  const sensorIds = new Set(nearby.flat().map(({ doc }) => doc._id));
  const readings = await ctx.queries.trafficReadingsOfSensors(
    [...sensorIds],
    new Date(at.getTime() - LONGEST_WINDOW_MS),
    at,
  );
  const readingsBySensor = new Map<string, typeof readings>();
  for (const reading of readings) {
    const list = readingsBySensor.get(reading.device.id) ?? [];
    list.push(reading);
    readingsBySensor.set(reading.device.id, list);
  }
  const recommendations: SignalPlanRecommendationValue[] = [];
  lights.forEach((light, i) => {
    const near = (nearby[i] ?? []).flatMap(
      ({ doc }) => readingsBySensor.get(doc._id) ?? [],
    );
    const recommendation = recommendSignalPlan(light.signalPlan, near, at);
    if (recommendation)
      recommendations.push({ ...recommendation, light, at, radiusMeters });
  });
  return recommendations;
}

export const SignalPlanRecommendation = {
  trafficLight: (value: SignalPlanRecommendationValue) => value.light,
  currentPlan: (value: SignalPlanRecommendationValue) => value.light.signalPlan,
  async readings(
    value: SignalPlanRecommendationValue,
    _: unknown,
    ctx: MobilityContext,
  ) {
    const readings = await ctx.loaders.trafficReadingById.loadMany([
      ...value.readingIds,
    ]);
    return readings.filter(
      (r): r is Exclude<typeof r, Error | null> =>
        r !== null && !(r instanceof Error),
    );
  },
};
