import { describe, expect, it } from 'vitest';
import { recommendSignalPlan } from '../src/analysis/signalPlanRecommendation.js';
import { rushHour, rushHourAt as at } from './fixtures/rushHour.js';

const PLAN = {
  name: 'Plan de base',
  cycleSeconds: 90,
  phases: [
    { name: 'nord-sud', greenSeconds: 40 },
    { name: 'est-ouest', greenSeconds: 30 },
  ],
};

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
