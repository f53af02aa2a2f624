import { describe, expect, it } from 'vitest';
import {
  congestionLevel,
  congestionOverWindow,
  type WindowReading,
} from '../src/analysis/congestionWindow.js';
import { generateMobilitySeed } from '../src/seed.js';

const at = (iso: string) => new Date(iso);
const reading = (
  sensorId: string,
  iso: string,
  occupancy: number,
): WindowReading => ({
  _id: `${sensorId}@${iso}`,
  device: { id: sensorId },
  observedAt: at(iso),
  occupancy,
  averageSpeed: 50 - occupancy * 40,
  congested: occupancy > 0.6,
});

describe('congestionOverWindow', () => {
  it('takes the readings of the window only (start exclusive, end inclusive) and says which', () => {
    const readings = [
      reading('s1', '2026-11-25T07:55:00.000Z', 0.9), // exactly at the start: out
      reading('s1', '2026-11-25T07:56:00.000Z', 0.2),
      reading('s2', '2026-11-25T08:00:00.000Z', 0.4),
      reading('s2', '2026-11-25T08:01:00.000Z', 0.9), // after the end: out
    ];
    const window = congestionOverWindow(
      readings,
      5,
      at('2026-11-25T08:00:00.000Z'),
    );
    expect(window).toMatchObject({
      minutes: 5,
      from: at('2026-11-25T07:55:00.000Z'),
      to: at('2026-11-25T08:00:00.000Z'),
      readingCount: 2,
      sensorIds: ['s1', 's2'],
      congestedShare: 0,
      level: 'HEAVY',
    });
    expect(window.averageOccupancy).toBeCloseTo(0.3);
  });

  it('maps mean occupancy to levels at the documented thresholds', () => {
    expect(
      [null, 0.149, 0.15, 0.299, 0.3, 0.499, 0.5].map(congestionLevel),
    ).toEqual([
      'NO_DATA',
      'FREE_FLOW',
      'MODERATE',
      'MODERATE',
      'HEAVY',
      'HEAVY',
      'JAMMED',
    ]);
  });

  it('follows a replayed weekday of seeded readings: free at night, congested at the morning rush', () => {
    const district = '13201';
    const day = '2026-11-20'; // a Friday in the seed window
    const readings = generateMobilitySeed()
      .readings.filter(
        (r) =>
          r.device.district === district &&
          r.observedAt.toISOString().startsWith(day),
      )
      .sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime());
    expect(readings.length).toBeGreaterThan(100);
    // Replay: the 15-minute window after each reading, as the live analysis sees it.
    const levels = new Map<string, string>();
    for (const r of readings)
      levels.set(
        r.observedAt.toISOString().slice(11, 16),
        congestionOverWindow(readings, 15, r.observedAt).level,
      );
    const rank = ['NO_DATA', 'FREE_FLOW', 'MODERATE', 'HEAVY', 'JAMMED'];
    const night = rank.indexOf(levels.get('02:00') ?? '');
    const rush = Math.max(
      ...['06:30', '06:45', '07:00', '07:15', '07:30'].map((t) =>
        rank.indexOf(levels.get(t) ?? ''),
      ),
    );
    expect(night).toBe(rank.indexOf('FREE_FLOW'));
    expect(rush).toBeGreaterThan(night);
  });
});
