import { describe, expect, it } from 'vitest';
import {
  bandChangeAt,
  crossesInto,
  hourEndOf,
  previousHourIndex,
  stationHourIndex,
  type IndexReading,
} from '../src/analysis/stationIndex.js';

const STATION = 'env-aq-13201';
const hour = (h: number) => new Date(Date.UTC(2026, 11, 1, 0) + h * 3_600_000);

/** Hourly readings ending at hours `from` to `to` (hours since 2026-12-01T00:00Z). */
function hourly(
  from: number,
  to: number,
  values: (h: number) => Partial<Omit<IndexReading, '_id' | 'observedAt'>>,
): IndexReading[] {
  const readings: IndexReading[] = [];
  for (let h = from; h <= to; h++)
    readings.push({
      _id: `${STATION}@${hour(h).toISOString()}`,
      observedAt: hour(h),
      no2: null,
      pm10: null,
      pm25: null,
      o3: null,
      so2: null,
      ...values(h),
    });
  return readings;
}

describe('stationHourIndex (EEA hourly index of one station)', () => {
  it('reads NO2, O3 and SO2 from the hour itself, the worst band winning', () => {
    const readings = hourly(1, 3, (h) => ({
      no2: h === 3 ? 125 : 20,
      o3: 60,
      so2: 10,
    }));
    const index = stationHourIndex(STATION, readings, hour(3));
    expect(index).toMatchObject({
      from: hour(2),
      to: hour(3),
      level: 4,
      band: 'POOR',
      dominantPollutant: 'NO2',
      readingIds: [`${STATION}@${hour(3).toISOString()}`],
    });
    expect(index?.pollutants).toEqual([
      {
        pollutant: 'NO2',
        concentration: 125,
        averaging: 'HOURLY',
        hours: 1,
        level: 4,
        band: 'POOR',
      },
      {
        pollutant: 'O3',
        concentration: 60,
        averaging: 'HOURLY',
        hours: 1,
        level: 2,
        band: 'FAIR',
      },
      {
        pollutant: 'SO2',
        concentration: 10,
        averaging: 'HOURLY',
        hours: 1,
        level: 1,
        band: 'GOOD',
      },
    ]);
  });

  it('averages PM10 and PM2.5 over the 24 hours up to the hour, so one bad hour does not make a bad day', () => {
    // 23 hours at 15 µg/m3 PM2.5 (FAIR), then one at 80 (EXTREMELY_POOR alone).
    const readings = hourly(1, 24, (h) => ({ pm25: h === 24 ? 80 : 15 }));
    const index = stationHourIndex(STATION, readings, hour(24));
    expect(index?.pollutants).toEqual([
      {
        pollutant: 'PM2_5',
        concentration: Math.round(((23 * 15 + 80) / 24) * 10) / 10,
        averaging: 'RUNNING_24_HOURS',
        hours: 24,
        level: 2,
        band: 'FAIR',
      },
    ]);
    expect(index?.readingIds).toHaveLength(24);
    // A reading older than 24 hours never counts.
    const older = [...hourly(0, 0, () => ({ pm25: 500 })), ...readings];
    expect(stationHourIndex(STATION, older, hour(24))?.level).toBe(2);
  });

  it('leaves PM out with fewer than 18 of 24 hourly values, and answers null when nothing counts', () => {
    const few = hourly(8, 24, () => ({ pm10: 120, no2: 30 }));
    const index = stationHourIndex(STATION, few, hour(24));
    expect(index?.pollutants.map((p) => p.pollutant)).toEqual(['NO2']);
    expect(index?.band).toBe('GOOD');
    const enough = hourly(7, 24, () => ({ pm10: 120, no2: 30 }));
    expect(stationHourIndex(STATION, enough, hour(24))).toMatchObject({
      band: 'VERY_POOR',
      dominantPollutant: 'PM10',
    });
    expect(
      stationHourIndex(
        STATION,
        hourly(8, 24, () => ({ pm10: 120 })),
        hour(24),
      ),
    ).toBeNull();
  });

  it('answers null for an hour without a reading', () => {
    const readings = hourly(1, 3, () => ({ no2: 30 }));
    expect(stationHourIndex(STATION, readings, hour(4))).toBeNull();
  });

  it('takes a reading stamped inside an hour as that hour, the newest of the hour winning', () => {
    expect(hourEndOf(new Date('2026-12-01T07:20:00Z'))).toEqual(
      new Date('2026-12-01T08:00:00Z'),
    );
    expect(hourEndOf(hour(8))).toEqual(hour(8));
    const readings: IndexReading[] = [
      {
        _id: 'a',
        observedAt: new Date('2026-12-01T07:20:00Z'),
        no2: 200,
        pm10: null,
        pm25: null,
        o3: null,
      },
      {
        _id: 'b',
        observedAt: new Date('2026-12-01T07:50:00Z'),
        no2: 20,
        pm10: null,
        pm25: null,
        o3: null,
      },
    ];
    expect(stationHourIndex(STATION, readings, hour(8))).toMatchObject({
      band: 'GOOD',
      readingIds: ['b'],
    });
  });
});

describe('band changes', () => {
  const readings = hourly(1, 6, (h) => ({
    no2: [0, 20, 20, 20, 100, 130, 130][h] ?? 0,
  }));

  it('compares an hour with the previous hour that has an index', () => {
    expect(previousHourIndex(STATION, readings, hour(4))?.to).toEqual(hour(3));
    // A missing hour is skipped: the hour before it is the previous one.
    const gap = readings.filter(
      (r) => r.observedAt.getTime() !== hour(3).getTime(),
    );
    expect(previousHourIndex(STATION, gap, hour(4))?.to).toEqual(hour(2));
    expect(previousHourIndex(STATION, readings, hour(1))).toBeNull();
  });

  it('reports an hour whose band differs from the previous one, and not one that stays', () => {
    expect(bandChangeAt(STATION, readings, hour(3))).toBeNull();
    expect(bandChangeAt(STATION, readings, hour(4))).toMatchObject({
      index: { band: 'MODERATE' },
      previous: { band: 'GOOD' },
    });
    expect(bandChangeAt(STATION, readings, hour(5))).toMatchObject({
      index: { band: 'POOR' },
      previous: { band: 'MODERATE' },
    });
    expect(bandChangeAt(STATION, readings, hour(6))).toBeNull();
    // The first hour with an index is a change from nothing.
    expect(bandChangeAt(STATION, readings, hour(1))).toMatchObject({
      index: { band: 'GOOD' },
      previous: null,
    });
  });

  it('crosses into a minimum level only when rising to it or past it from below', () => {
    expect(crossesInto(4, 4, 3)).toBe(true);
    expect(crossesInto(4, 5, 1)).toBe(true);
    expect(crossesInto(4, 5, 4)).toBe(false);
    expect(crossesInto(4, 3, 1)).toBe(false);
    expect(crossesInto(4, 2, 5)).toBe(false);
    expect(crossesInto(1, 1, null)).toBe(true);
  });
});
