/**
 * The European Air Quality Index of one station over one hour, from its
 * readings (docs/live.md, "European Air Quality Index"): the rule behind
 * `AirQualityStation.airQualityIndex`, `Query.airQualityAlert` and the live
 * air-quality analysis (airQualityAnalysis.ts). Pure: the caller passes the
 * station's readings of the 48 hours up to the hour (24 for the hour's own
 * running means, 24 more for the previous hour's).
 *
 * The EEA's index (https://airindex.eea.europa.eu/AQI/index.html, bands in
 * ../airQualityIndex.ts) is computed hourly per station from the hourly
 * concentrations of NO2, O3 and SO2 and from the 24-hour running means of
 * PM10 and PM2.5; the index is the band of the worst pollutant. A running
 * mean counts when at least 18 of its 24 hourly values are there (75 %, the
 * data-capture rule of the EU Ambient Air Quality Directive 2008/50/EC,
 * Annex VII, for an aggregated value): with fewer, that pollutant is left
 * out of the hour's index rather than judged on a few hours.
 */
import {
  bandLevel,
  bandOf,
  POLLUTANT_FIELD,
  POLLUTANTS,
  type AirQualityBand,
  type Pollutant,
} from '../airQualityIndex.js';

const HOUR_MS = 3_600_000;
/** Hours of the PM running means. */
export const RUNNING_MEAN_HOURS = 24;
/** Hourly values a running mean needs (75 % of 24). */
export const RUNNING_MEAN_MIN_HOURS = 18;
/** How far back an hour's index and its previous hour's index read, together. */
export const INDEX_LOOKBACK_MS = 2 * RUNNING_MEAN_HOURS * HOUR_MS;

/** The pollutants the EEA averages over 24 hours. */
const RUNNING_MEAN_POLLUTANTS: ReadonlySet<Pollutant> = new Set([
  'PM10',
  'PM2_5',
]);

/** What the rule reads of a reading (µg/m3, null when not measured). */
export interface IndexReading {
  readonly _id: string;
  readonly observedAt: Date;
  readonly no2: number | null;
  readonly pm10: number | null;
  readonly pm25: number | null;
  readonly o3: number | null;
  readonly so2?: number | null;
}

/** How one pollutant counted in an hour's index. */
export interface PollutantSubIndexValue {
  readonly pollutant: Pollutant;
  /** The hour's concentration, or the 24-hour running mean for PM, µg/m3. */
  readonly concentration: number;
  readonly averaging: 'HOURLY' | 'RUNNING_24_HOURS';
  /** Hourly values it came from: 1, or 18 to 24 for a running mean. */
  readonly hours: number;
  readonly level: number;
  readonly band: AirQualityBand;
}

/** A station's index for one hour, with the window and the readings it came from. */
export interface StationHourIndex {
  readonly stationId: string;
  /** Start of the hour (exclusive). */
  readonly from: Date;
  /** End of the hour (inclusive): the time of its reading. */
  readonly to: Date;
  /** 1 (good) to 6 (extremely poor). */
  readonly level: number;
  readonly band: AirQualityBand;
  readonly dominantPollutant: Pollutant;
  /** Each pollutant that counted, in the index's pollutant order. */
  readonly pollutants: readonly PollutantSubIndexValue[];
  /** The readings used (the hour's, and the running means' hours), oldest first. */
  readonly readingIds: readonly string[];
}

/**
 * The end of the hourly period `at` falls in (readings are stamped with the
 * end of their hour): `at` itself on a full hour, else the next full hour.
 */
export function hourEndOf(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** The station's hourly values: one reading per hour (the newest of that hour), by hour end. */
function hourly<R extends IndexReading>(
  readings: readonly R[],
): Map<number, R> {
  const byHour = new Map<number, R>();
  for (const reading of readings) {
    const hour = hourEndOf(reading.observedAt).getTime();
    const kept = byHour.get(hour);
    if (!kept || reading.observedAt > kept.observedAt)
      byHour.set(hour, reading);
  }
  return byHour;
}

/**
 * The station's index for the hour ending at `to` (a full hour), from its
 * readings (others ignored); null when the hour has no reading or none of
 * its pollutants counts.
 */
export function stationHourIndex(
  stationId: string,
  readings: readonly IndexReading[],
  to: Date,
): StationHourIndex | null {
  const end = to.getTime();
  const byHour = hourly(
    readings.filter(
      (r) =>
        r.observedAt.getTime() > end - RUNNING_MEAN_HOURS * HOUR_MS &&
        r.observedAt.getTime() <= end,
    ),
  );
  const current = byHour.get(end);
  if (!current) return null;
  const used = new Set<string>([current._id]);
  const pollutants: PollutantSubIndexValue[] = [];
  for (const pollutant of POLLUTANTS) {
    const field = POLLUTANT_FIELD[pollutant];
    let concentration: number;
    let hours: number;
    if (RUNNING_MEAN_POLLUTANTS.has(pollutant)) {
      const values = [...byHour.values()].filter(
        (r) => r[field] !== null && r[field] !== undefined,
      );
      if (values.length < RUNNING_MEAN_MIN_HOURS) continue;
      concentration =
        values.reduce((sum, r) => sum + (r[field] ?? 0), 0) / values.length;
      hours = values.length;
      for (const r of values) used.add(r._id);
    } else {
      const value = current[field];
      if (value === null || value === undefined) continue;
      concentration = value;
      hours = 1;
    }
    const rounded = Math.round(concentration * 10) / 10;
    const level = bandLevel(pollutant, rounded);
    pollutants.push({
      pollutant,
      concentration: rounded,
      averaging: RUNNING_MEAN_POLLUTANTS.has(pollutant)
        ? 'RUNNING_24_HOURS'
        : 'HOURLY',
      hours,
      level,
      band: bandOf(level),
    });
  }
  if (pollutants.length === 0) return null;
  // The worst band; a tie goes to the first pollutant in the index's order.
  const worst = pollutants.reduce((a, b) => (b.level > a.level ? b : a));
  const readingIds = [...byHour.values()]
    .filter((r) => used.has(r._id))
    .sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime())
    .map((r) => r._id);
  return {
    stationId,
    from: new Date(end - HOUR_MS),
    to: new Date(end),
    level: worst.level,
    band: worst.band,
    dominantPollutant: worst.pollutant,
    pollutants,
    readingIds,
  };
}

/**
 * The station's index for its hour before `to` that has one: the newest
 * hour with a reading in the 24 hours before (a missing hour does not make
 * the next one a crossing); null when there is none.
 */
export function previousHourIndex(
  stationId: string,
  readings: readonly IndexReading[],
  to: Date,
): StationHourIndex | null {
  const end = to.getTime();
  const hours = [...hourly(readings).keys()]
    .filter((h) => h < end && h >= end - RUNNING_MEAN_HOURS * HOUR_MS)
    .sort((a, b) => b - a);
  for (const hour of hours) {
    const index = stationHourIndex(stationId, readings, new Date(hour));
    if (index) return index;
  }
  return null;
}

/** An hour whose band differs from the station's previous hour's. */
export interface BandChange {
  readonly index: StationHourIndex;
  readonly previous: StationHourIndex | null;
}

/**
 * Whether the hour ending at `to` changed the station's band: its index and
 * the previous hour's when they differ (or the hour is the first with an
 * index), else null.
 */
export function bandChangeAt(
  stationId: string,
  readings: readonly IndexReading[],
  to: Date,
): BandChange | null {
  const index = stationHourIndex(stationId, readings, to);
  if (!index) return null;
  const previous = previousHourIndex(stationId, readings, to);
  if (previous && previous.level === index.level) return null;
  return { index, previous };
}

/**
 * Whether a change from `previousLevel` (null: no previous hour) to `level`
 * crosses into `minLevel` or worse: what `airQualityAlert(minLevel:)` waits for.
 */
export function crossesInto(
  minLevel: number,
  level: number,
  previousLevel: number | null,
): boolean {
  return level >= minLevel && (previousLevel ?? 0) < minLevel;
}
