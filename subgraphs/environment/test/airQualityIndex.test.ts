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
