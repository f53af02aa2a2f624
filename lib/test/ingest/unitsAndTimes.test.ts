import { describe, expect, it } from 'vitest';
import { parseObservationTime } from '../../ingest/observationTime.js';
import { qualityOf } from '../../ingest/quality.js';
import { convertUnit } from '../../ingest/unitCodes.js';

describe('convertUnit', () => {
  it.each([
    [10, 'MTS', 'speed', 36],
    [50, 'KMH', 'speed', 50],
    [76, 'P1', 'ratio', 0.76],
    [0.5, 'GP', 'concentration', 500],
    [1, 'LTR', 'volume', 0.001],
  ] as const)('converts %d %s of %s', (value, code, dimension, expected) => {
    const result = convertUnit(value, code, dimension);
    expect(result.ok && result.value).toBeCloseTo(expected, 6);
  });

  it('converts ppb of a gas through its molar mass at 20 °C', () => {
    const result = convertUnit(100, '61', 'concentration', {
      molarMass: 47.997,
    });
    expect(result.ok && result.value).toBeCloseTo(199.53, 2);
  });

  it('refuses a code of another dimension, and ppm of particles', () => {
    expect(convertUnit(1, 'KEL', 'speed')).toMatchObject({ ok: false });
    const ppm = convertUnit(1, '59', 'concentration');
    expect(ppm.ok).toBe(false);
    expect(!ppm.ok && ppm.reason).toContain('gases only');
  });
});

describe('parseObservationTime', () => {
  it('reads a FIWARE interval as its end, and a zone-less time as UTC', () => {
    expect(
      parseObservationTime('2016-12-07T11:10:00/2016-12-07T11:15:00'),
    ).toEqual({
      observedAt: new Date('2016-12-07T11:15:00Z'),
      from: new Date('2016-12-07T11:10:00Z'),
      zoneAssumed: true,
    });
    expect(parseObservationTime('2026-11-25T09:00:00+01:00')).toMatchObject({
      observedAt: new Date('2026-11-25T08:00:00Z'),
      zoneAssumed: false,
    });
  });

  it('refuses what is not a date, a day that does not exist and a backwards interval', () => {
    expect(parseObservationTime('yesterday')).toBeNull();
    expect(parseObservationTime('2026-02-30T10:00:00')).toBeNull();
    expect(
      parseObservationTime('2026-01-02T00:00:00Z/2026-01-01T00:00:00Z'),
    ).toBeNull();
  });
});

describe('qualityOf', () => {
  it('scores completeness lowered by each flag', () => {
    expect(qualityOf([], 1)).toEqual({ flags: [], score: 1 });
    expect(qualityOf(['COORDINATES_SWAPPED', 'INCOMPLETE'], 0.5)).toEqual({
      flags: ['COORDINATES_SWAPPED', 'INCOMPLETE'],
      score: 0.45,
    });
  });
});
