/**
 * The European Air Quality Index (EEA) of concentrations: each pollutant
 * falls in one of six bands; the index is the band of the worst. Thresholds
 * (µg/m3) are the EEA's band limits for the six-band index it introduced in
 * November 2017 (https://airindex.eea.europa.eu/AQI/index.html; table in
 * docs/live.md). The EEA applies them to hourly NO2, O3 and SO2 and to 24-hour
 * running means of PM10 and PM2.5: a station's hourly index does so
 * (analysis/stationIndex.ts); a single reading's `index` and the district
 * summaries apply them to the values they hold.
 */

/** The pollutants of the index, as the schema's `Pollutant` enum names them. */
export const POLLUTANTS = ['NO2', 'PM10', 'PM2_5', 'O3', 'SO2'] as const;
/** One pollutant. */
export type Pollutant = (typeof POLLUTANTS)[number];

/** The six bands, level 1 to 6. */
export const AIR_QUALITY_BANDS = [
  'GOOD',
  'FAIR',
  'MODERATE',
  'POOR',
  'VERY_POOR',
  'EXTREMELY_POOR',
] as const;
/** One band. */
export type AirQualityBand = (typeof AIR_QUALITY_BANDS)[number];

/** Upper limits (exclusive) of bands 1 to 5 per pollutant; above the last is band 6. */
const UPPER_LIMITS: Readonly<Record<Pollutant, readonly number[]>> = {
  NO2: [40, 90, 120, 230, 340],
  PM10: [20, 40, 50, 100, 150],
  PM2_5: [10, 20, 25, 50, 75],
  O3: [50, 100, 130, 240, 380],
  SO2: [100, 200, 350, 500, 750],
};

/** The document field holding each pollutant's concentration. */
export const POLLUTANT_FIELD: Readonly<Record<Pollutant, PollutantField>> = {
  NO2: 'no2',
  PM10: 'pm10',
  PM2_5: 'pm25',
  O3: 'o3',
  SO2: 'so2',
};

/** The document fields of the index's pollutants. */
export type PollutantField = 'no2' | 'pm10' | 'pm25' | 'o3' | 'so2';

/** The band level (1 to 6) of one concentration. */
export function bandLevel(pollutant: Pollutant, concentration: number): number {
  const limits = UPPER_LIMITS[pollutant];
  const index = limits.findIndex((limit) => concentration < limit);
  return index === -1 ? limits.length + 1 : index + 1;
}

/** The band name of a level 1 to 6. */
export function bandOf(level: number): AirQualityBand {
  return AIR_QUALITY_BANDS[Math.min(Math.max(level, 1), 6) - 1] ?? 'GOOD';
}

/** The index of a set of concentrations, as the schema's `AirQualityIndex`. */
export interface AirQualityIndexValue {
  level: number;
  band: AirQualityBand;
  dominantPollutant: Pollutant;
}

/**
 * The index of concentrations (µg/m3): the worst pollutant's band; ties go to
 * the first pollutant in {@link POLLUTANTS} order.
 */
export function airQualityIndex(
  concentrations: Readonly<Record<'no2' | 'pm10' | 'pm25' | 'o3', number>> & {
    readonly so2?: number | null;
  },
): AirQualityIndexValue {
  let level = 0;
  let dominantPollutant: Pollutant = 'NO2';
  for (const pollutant of POLLUTANTS) {
    const value = concentrations[POLLUTANT_FIELD[pollutant]];
    if (value === null || value === undefined) continue;
    const l = bandLevel(pollutant, value);
    if (l > level) {
      level = l;
      dominantPollutant = pollutant;
    }
  }
  return { level, band: bandOf(level), dominantPollutant };
}

/**
 * The index of the pollutants present (an ingested reading may lack some):
 * the worst band among them; null when none of the five is present.
 */
export function airQualityIndexOfPresent(
  concentrations: Readonly<
    Record<'no2' | 'pm10' | 'pm25' | 'o3', number | null | undefined>
  > & { readonly so2?: number | null },
): AirQualityIndexValue | null {
  let level = 0;
  let dominantPollutant: Pollutant = 'NO2';
  for (const pollutant of POLLUTANTS) {
    const value = concentrations[POLLUTANT_FIELD[pollutant]];
    if (value === null || value === undefined) continue;
    const l = bandLevel(pollutant, value);
    if (l > level) {
      level = l;
      dominantPollutant = pollutant;
    }
  }
  return level === 0 ? null : { level, band: bandOf(level), dominantPollutant };
}
