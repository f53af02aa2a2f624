import { describe, expect, it } from 'vitest';
import type { WindowReading } from '../src/analysis/congestionWindow.js';
import { recommendSignalPlan } from '../src/analysis/signalPlanRecommendation.js';

/**
 * A morning rush hour near one light, two sensors reporting every minute
 * from 06:30 to 10:00 UTC: occupancy 8 % until 07:30, rising to 72 % at
 * 08:15, held until 08:45, falling back to 8 % by 09:30.
 */
function rushHour(): WindowReading[] {
  const readings: WindowReading[] = [];
  const start = Date.UTC(2026, 11, 1, 6, 30);
  for (let minute = 0; minute <= 210; minute++) {
    const at = new Date(start + minute * 60_000);
    const t = minute - 60; // minutes since 07:30
    const occupancy =
      t <= 0
        ? 0.08
        : t <= 45
          ? 0.08 + (0.64 * t) / 45
          : t <= 75
            ? 0.72
            : t <= 120
              ? 0.72 - (0.64 * (t - 75)) / 45
              : 0.08;
    for (const sensorId of ['mob-ts-13201-01', 'mob-ts-13201-02'])
      readings.push({
        _id: `${sensorId}@${at.toISOString()}`,
        sensorId,
        observedAt: at,
        occupancy: Math.round(occupancy * 100) / 100,
        averageSpeed: Math.round(50 * (1 - occupancy)),
        congested: occupancy > 0.6,
      });
  }
  return readings;
}

const PLAN = {
  name: 'Plan de base',
  cycleSeconds: 90,
  phases: [
    { name: 'nord-sud', greenSeconds: 40 },
    { name: 'est-ouest', greenSeconds: 30 },
  ],
};

const at = (hhmm: string) => new Date(`2026-12-01T${hhmm}:00.000Z`);

describe('recommendSignalPlan (replayed rush hour)', () => {
  const readings = rushHour();
  /** The readings as they had arrived by `when` (replayed in order). */
  const upTo = (when: Date) => readings.filter((r) => r.observedAt <= when);

  it('shortens a 90 s cycle in the free flow before the rush, never under 60 s', () => {
    const early = recommendSignalPlan(PLAN, upTo(at('07:00')), at('07:00'));
    expect(early?.rule).toBe('SHORTEN_CYCLE');
    expect(early?.proposedPlan).toEqual({
      name: 'Plan de base',
      cycleSeconds: 70,
      phases: [
        { name: 'nord-sud', greenSeconds: 20 },
        { name: 'est-ouest', greenSeconds: 30 },
      ],
    });
    // Already at the shortest cycle the rule goes to: nothing.
    expect(
      recommendSignalPlan(
        { ...PLAN, cycleSeconds: 60 },
        upTo(at('07:00')),
        at('07:00'),
      ),
    ).toBeNull();
  });

  it('recommends nothing while traffic builds up (the windows disagree or are moderate)', () => {
    for (const hhmm of ['07:40', '07:50'])
      expect(recommendSignalPlan(PLAN, upTo(at(hhmm)), at(hhmm))).toBeNull();
  });

  it('lengthens the cycle once congestion is sustained, explained by the readings and the rule', () => {
    const replayed = [];
    // Minute by minute through the rush, as the readings arrive.
    for (let m = 0; m <= 150; m++) {
      const when = new Date(at('07:30').getTime() + m * 60_000);
      replayed.push({
        when,
        recommendation: recommendSignalPlan(PLAN, upTo(when), when),
      });
    }
    const first = replayed.find(
      (r) => r.recommendation?.rule === 'LENGTHEN_CYCLE',
    );
    // On this ramp the 15-minute mean reaches HEAVY (30 %) at 07:53.
    expect(first?.when).toEqual(at('07:53'));
    const peak = recommendSignalPlan(PLAN, upTo(at('08:30')), at('08:30'));
    expect(peak?.rule).toBe('LENGTHEN_CYCLE');
    expect(peak?.window15.level).toBe('JAMMED');
    expect(peak?.proposedPlan).toEqual({
      name: 'Plan de base',
      cycleSeconds: 120,
      phases: [
        { name: 'nord-sud', greenSeconds: 70 },
        { name: 'est-ouest', greenSeconds: 30 },
      ],
    });
    // The readings it came from: the 15 minutes up to 08:30, both sensors.
    expect(peak?.readingIds).toHaveLength(30);
    expect(peak?.readingIds[0]).toBe(
      'mob-ts-13201-01@2026-12-01T08:16:00.000Z',
    );
    expect(peak?.explanation).toMatch(
      /^30 readings of 2 nearby sensors \(mob-ts-13201-01, mob-ts-13201-02\): mean occupancy 72 % over 15 min \(JAMMED\).*rule LENGTHEN_CYCLE/,
    );
    // Never past the model's limits, however long the jam.
    const long = recommendSignalPlan(
      { ...PLAN, cycleSeconds: 170 },
      upTo(at('08:30')),
      at('08:30'),
    );
    expect(long?.proposedPlan.cycleSeconds).toBe(180);
    expect(
      recommendSignalPlan(
        { ...PLAN, cycleSeconds: 180 },
        upTo(at('08:30')),
        at('08:30'),
      ),
    ).toBeNull();
  });

  it('stops recommending a longer cycle as the rush ends, and shortens again in free flow', () => {
    expect(
      recommendSignalPlan(PLAN, upTo(at('09:25')), at('09:25')),
    ).toBeNull();
    const lengthened = {
      ...PLAN,
      cycleSeconds: 120,
      phases: [
        { name: 'nord-sud', greenSeconds: 70 },
        { name: 'est-ouest', greenSeconds: 30 },
      ],
    };
    expect(
      recommendSignalPlan(lengthened, upTo(at('09:50')), at('09:50'))
        ?.proposedPlan.cycleSeconds,
    ).toBe(100);
  });

  it('recommends nothing without readings', () => {
    expect(recommendSignalPlan(PLAN, [], at('08:30'))).toBeNull();
  });
});
