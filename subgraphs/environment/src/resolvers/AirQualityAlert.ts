/**
 * AirQualityAlert and HourlyAirQualityIndex: a station's hourly European Air
 * Quality Index and its band changes, computed from the readings whenever
 * asked (analysis/stationIndex.ts; docs/live.md).
 */
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import { loadExisting } from '../../../../lib/subgraph-kit/loaders.js';
import { parseAirQualityAlertId } from '../analysis/airQualityAnalysis.js';
import {
  bandChangeAt,
  hourEndOf,
  stationHourIndex,
  type PollutantSubIndexValue,
  type StationHourIndex,
} from '../analysis/stationIndex.js';
import type { EnvironmentContext } from '../context.js';
import type { AirQualityStationDoc } from '../models/index.js';
import { concentration } from './units.js';

/** An alert as the resolvers pass it on. */
export interface AirQualityAlertValue {
  readonly id: string;
  readonly index: StationHourIndex;
  readonly previous: StationHourIndex | null;
}

/** `AirQualityStation.airQualityIndex(hour:)`: the hour asked, or the hour of the newest reading. */
export async function stationAirQualityIndex(
  station: AirQualityStationDoc,
  hour: Date | null | undefined,
  ctx: EnvironmentContext,
): Promise<StationHourIndex | null> {
  const at = hour ?? station.latestAirQuality?.observedAt ?? null;
  if (!at) return null;
  const hourEnd = hourEndOf(at);
  const readings = await ctx.loaders.airQualityWindowByStationHour.load({
    stationId: station._id,
    hourEnd,
  });
  return stationHourIndex(station._id, readings, hourEnd);
}

/** `Query.airQualityAlert(id:)`: the band change of that hour, or null. */
export async function airQualityAlertById(
  id: string,
  ctx: EnvironmentContext,
): Promise<AirQualityAlertValue | null> {
  const parsed = parseAirQualityAlertId(id);
  if (!parsed)
    throw new BadUserInputError(
      `An air-quality alert id is <station id>@<end of the hour, ISO 8601 UTC on a full hour>, e.g. env-aq-13201@2026-11-22T08:00:00.000Z; got "${id}".`,
      { argumentName: 'id' },
    );
  const readings = await ctx.loaders.airQualityWindowByStationHour.load({
    stationId: parsed.stationId,
    hourEnd: parsed.hourEnd,
  });
  const change = bandChangeAt(parsed.stationId, readings, parsed.hourEnd);
  return change ? { id, index: change.index, previous: change.previous } : null;
}

const stationOf = (stationId: string, ctx: EnvironmentContext) =>
  loadExisting(
    ctx.loaders.airQualityStationById,
    stationId,
    'air-quality station',
  );

export const AirQualityAlert = {
  station: (alert: AirQualityAlertValue, _: unknown, ctx: EnvironmentContext) =>
    stationOf(alert.index.stationId, ctx),
  async district(
    alert: AirQualityAlertValue,
    _: unknown,
    ctx: EnvironmentContext,
  ) {
    const station = await stationOf(alert.index.stationId, ctx);
    return { code: station.district };
  },
  index: (alert: AirQualityAlertValue) => alert.index,
  previousIndex: (alert: AirQualityAlertValue) => alert.previous,
};

export const HourlyAirQualityIndex = {
  station: (index: StationHourIndex, _: unknown, ctx: EnvironmentContext) =>
    stationOf(index.stationId, ctx),
  async readings(index: StationHourIndex, _: unknown, ctx: EnvironmentContext) {
    const readings = await ctx.loaders.airQualityReadingById.loadMany([
      ...index.readingIds,
    ]);
    return readings.filter(
      (r): r is Exclude<typeof r, Error | null> =>
        r !== null && !(r instanceof Error),
    );
  },
};

export const PollutantSubIndex = {
  concentration: (sub: PollutantSubIndexValue) =>
    concentration(sub.concentration),
};
