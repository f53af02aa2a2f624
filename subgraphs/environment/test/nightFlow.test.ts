import { describe, expect, it } from 'vitest';
import {
  flowOf,
  judgeNight,
  leakAlertId,
  leakSeverity,
  nightFlow,
  nightOf,
  nightWindow,
  previousNight,
  type FlowReading,
} from '../src/analysis/nightFlow.js';

const HOUR = 3_600_000;

/** Hourly readings of one meter: `flows(night, hour)` m3/h for each hour ending at `at`. */
function hourly(
  from: string,
  hours: number,
  flow: (at: Date) => number,
): FlowReading[] {
  const start = new Date(from).getTime();
  return Array.from({ length: hours }, (_, k) => {
    const at = new Date(start + (k + 1) * HOUR);
    return {
      _id: `m@${at.toISOString()}`,
      observedAt: at,
      intervalStart: new Date(at.getTime() - HOUR),
      consumption: flow(at),
    };
  });
}

/** A night flow of `base` m3/h, plus `leak` from `leakFrom` on; daytime flows are higher. */
function meter(base: number, leak = 0, leakFrom = '9999-01-01T00:00:00Z') {
  return (at: Date) =>
    (nightOf(at) ? base : base * 3) +
    (at >= new Date(leakFrom) ? leak : 0) +
    // A little deterministic noise (±3 %).
    base * 0.03 * Math.sin(at.getTime() / HOUR);
}

describe('night windows (Europe/Paris)', () => {
  it.each([
    // Winter (UTC+1): 02:00 to 05:00 local is 01:00 to 04:00 UTC.
    ['2026-11-20', '2026-11-20T01:00:00.000Z', '2026-11-20T04:00:00.000Z'],
    // Summer (UTC+2).
    ['2026-07-14', '2026-07-14T00:00:00.000Z', '2026-07-14T03:00:00.000Z'],
    // Spring forward (29 March 2026, 02:00 → 03:00): a two-hour night.
    ['2026-03-29', '2026-03-29T01:00:00.000Z', '2026-03-29T03:00:00.000Z'],
    // Fall back (25 October 2026, 03:00 → 02:00): a four-hour night.
    ['2026-10-25', '2026-10-25T00:00:00.000Z', '2026-10-25T04:00:00.000Z'],
  ])('the night of %s runs from %s to %s', (night, from, to) => {
    const window = nightWindow(night);
    expect([window.from.toISOString(), window.to.toISOString()]).toEqual([
      from,
      to,
    ]);
  });

  it.each([
    ['2026-11-20T01:00:00Z', null],
    ['2026-11-20T01:00:01Z', '2026-11-20'],
    ['2026-11-20T04:00:00Z', '2026-11-20'],
    ['2026-11-20T04:00:01Z', null],
    ['2026-11-20T12:00:00Z', null],
  ])('%s falls in the night of %s', (at, night) => {
    expect(nightOf(new Date(at))?.night ?? null).toBe(night);
  });

  it('goes back night by night across a month end', () => {
    expect(previousNight(nightWindow('2026-12-01'), 2).night).toBe(
      '2026-11-29',
    );
  });
});

describe('flowOf', () => {
  it.each([
    [{ consumption: 30, hours: 1 }, 30],
    [{ consumption: 30, hours: 2 }, 15],
    [{ consumption: 7.5, hours: 0.25 }, 30],
    [{ consumption: null, hours: 1 }, null],
  ])('%o is %s m3/h', ({ consumption, hours }, flow) => {
    const observedAt = new Date('2026-11-20T03:00:00Z');
    expect(
      flowOf({
        _id: 'x',
        observedAt,
        intervalStart: new Date(observedAt.getTime() - hours * HOUR),
        consumption,
      }),
    ).toBe(flow);
  });

  it('is unknown without an interval start', () => {
    expect(
      flowOf({
        _id: 'x',
        observedAt: new Date(),
        intervalStart: null,
        consumption: 3,
      }),
    ).toBeNull();
  });
});

describe('nightFlow', () => {
  const window = nightWindow('2026-11-20');

  it('takes the lowest flow of the readings ending in the window', () => {
    const readings = hourly('2026-11-19T22:00:00Z', 10, (at) =>
      at.getUTCHours() === 3 ? 40 : 55,
    );
    const night = nightFlow(readings, window);
    expect(night.readings.map((r) => r.observedAt.toISOString())).toEqual([
      '2026-11-20T02:00:00.000Z',
      '2026-11-20T03:00:00.000Z',
      '2026-11-20T04:00:00.000Z',
    ]);
    expect(night).toMatchObject({
      minimumFlow: 40,
      coverage: 1,
      complete: true,
    });
  });

  it('is incomplete while the night is not covered (the first hour only)', () => {
    const readings = hourly('2026-11-20T01:00:00Z', 1, () => 40);
    expect(nightFlow(readings, window)).toMatchObject({
      complete: false,
      minimumFlow: 40,
    });
  });

  it('counts quarter-hour readings by their own intervals', () => {
    const start = window.from.getTime();
    const readings = Array.from({ length: 12 }, (_, k) => {
      const at = new Date(start + (k + 1) * 15 * 60_000);
      return {
        _id: `q${k}`,
        observedAt: at,
        intervalStart: new Date(at.getTime() - 15 * 60_000),
        // 10 m3 per quarter hour (40 m3/h), 7.5 at 03:30 local (30 m3/h).
        consumption: k === 5 ? 7.5 : 10,
      };
    });
    expect(nightFlow(readings, window)).toMatchObject({
      minimumFlow: 30,
      coverage: 1,
      complete: true,
    });
  });
});

describe('judgeNight (minimum night flow above the baseline)', () => {
  const judged = '2026-11-25';
  const readings = (flow: (at: Date) => number) =>
    hourly('2026-11-15T00:00:00Z', 11 * 24, flow);

  it.each([
    ['a normal night, within noise', false, false, meter(100)],
    [
      'the first night of a leak of 30 m3/h on 100',
      true,
      true,
      meter(100, 30, '2026-11-24T12:00:00Z'),
    ],
    [
      'the second night of the same leak: known, not raised again',
      true,
      false,
      meter(100, 30, '2026-11-23T12:00:00Z'),
    ],
    [
      'an excess of 15 % (under the 20 % margin)',
      false,
      false,
      meter(100, 15, '2026-11-24T12:00:00Z'),
    ],
    [
      'a small meter: 1.5 m3/h on 2 is 75 % but under 2 m3/h',
      false,
      false,
      meter(2, 1.5, '2026-11-24T12:00:00Z'),
    ],
  ] as const)('%s: exceeds %s, raises %s', (_, exceeds, raises, flow) => {
    const verdict = judgeNight(readings(flow), nightWindow(judged));
    expect([verdict.exceeds, verdict.raises]).toEqual([exceeds, raises]);
    expect(verdict.baselineNights).toBe(7);
  });

  it('answers with the window, the readings and the baseline it came from', () => {
    const verdict = judgeNight(
      readings(meter(100, 30, '2026-11-24T12:00:00Z')),
      nightWindow(judged),
    );
    expect(verdict.night.from.toISOString()).toBe('2026-11-25T01:00:00.000Z');
    expect(verdict.night.to.toISOString()).toBe('2026-11-25T04:00:00.000Z');
    expect(verdict.night.readings).toHaveLength(3);
    expect(verdict.baseline).toBeGreaterThan(96);
    expect(verdict.baseline).toBeLessThan(100);
    expect(verdict.excess).toBeGreaterThan(28);
    expect(verdict.excess).toBeLessThan(36);
  });

  it('does not judge without any night before (no baseline), nor an incomplete night', () => {
    const leak = meter(100, 300, '2026-11-15T00:00:00Z');
    const noBaseline = judgeNight(
      hourly('2026-11-25T00:00:00Z', 6, leak),
      nightWindow(judged),
    );
    expect(noBaseline).toMatchObject({
      baseline: null,
      baselineNights: 0,
      exceeds: false,
    });
    const partial = readings(meter(100, 300, '2026-11-24T12:00:00Z')).filter(
      (r) => r.observedAt <= new Date('2026-11-25T02:00:00Z'),
    );
    expect(judgeNight(partial, nightWindow(judged))).toMatchObject({
      exceeds: false,
      raises: false,
    });
  });
});

describe('leak alerts', () => {
  it.each([
    [5, 'LOW'],
    [20, 'MEDIUM'],
    [40, 'HIGH'],
    [80, 'CRITICAL'],
  ] as const)('%s m3/h is %s', (loss, severity) => {
    expect(leakSeverity(loss)).toBe(severity);
  });

  it('names an alert by its meter and night', () => {
    expect(leakAlertId('env-wm-13203-1', '2026-11-20')).toBe(
      'env-leak-13203-1-20261120',
    );
  });
});
