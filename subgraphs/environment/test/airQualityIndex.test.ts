import { describe, expect, it } from 'vitest';
import { airQualityIndex, bandLevel, bandOf } from '../src/airQualityIndex.js';

describe('airQualityIndex', () => {
  it.each([
    ['NO2', 39.9, 1],
    ['NO2', 40, 2],
    ['NO2', 340, 6],
    ['PM2_5', 24.9, 3],
    ['PM10', 100, 5],
    ['O3', 129, 3],
  ] as const)('puts %s at %d µg/m3 in band %d', (pollutant, value, level) => {
    expect(bandLevel(pollutant, value)).toBe(level);
  });

  it('names the bands from GOOD to EXTREMELY_POOR', () => {
    expect([1, 2, 3, 4, 5, 6].map(bandOf)).toEqual([
      'GOOD',
      'FAIR',
      'MODERATE',
      'POOR',
      'VERY_POOR',
      'EXTREMELY_POOR',
    ]);
  });

  it('takes the band of the worst pollutant', () => {
    expect(airQualityIndex({ no2: 30, pm10: 45, pm25: 12, o3: 60 })).toEqual({
      level: 3,
      band: 'MODERATE',
      dominantPollutant: 'PM10',
    });
  });
});

/**
 * The EEA's table (https://airindex.eea.europa.eu/AQI/index.html, the
 * six-band index of November 2017), µg/m3: the lower bound of each band
 * from FAIR to EXTREMELY_POOR, per pollutant.
 */
const EEA_TABLE = {
  NO2: [40, 90, 120, 230, 340],
  PM10: [20, 40, 50, 100, 150],
  PM2_5: [10, 20, 25, 50, 75],
  O3: [50, 100, 130, 240, 380],
  SO2: [100, 200, 350, 500, 750],
} as const;

describe('bandLevel against the EEA table', () => {
  for (const [pollutant, bounds] of Object.entries(EEA_TABLE) as [
    keyof typeof EEA_TABLE,
    readonly number[],
  ][]) {
    it(`puts ${pollutant} in the band of each row, a bound opening the band above`, () => {
      expect(bandLevel(pollutant, 0)).toBe(1);
      bounds.forEach((bound, i) => {
        // Just under the bound: still the band below; on it: the next band.
        expect(bandLevel(pollutant, bound - 0.1)).toBe(i + 1);
        expect(bandLevel(pollutant, bound)).toBe(i + 2);
      });
      expect(bandLevel(pollutant, 1999)).toBe(6);
    });
  }
});
