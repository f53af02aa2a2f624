import { describe, expect, it } from 'vitest';
import { anonymousViewer, createViewer } from '../../../lib/runtime/viewer.js';
import { canEnrolInWorkshop } from '../src/access.js';
import {
  districtOfAssetId,
  TRAFFIC_LIGHT_ID,
  WATER_METER_ID,
} from '../src/foreignIds.js';
import type { DigitalInclusionIndicatorDoc } from '../src/models/index.js';
import { rankDigitalDivide } from '../src/resolvers/DigitalInclusion.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const LATER = new Date('2026-12-01T09:00:00Z');
const EARLIER = new Date('2026-11-01T09:00:00Z');

describe('canEnrolInWorkshop', () => {
  const citizen = createViewer('c-1', ['citizen']);
  it.each([
    ['a citizen, upcoming, seats left', citizen, LATER, 10, 3, null],
    ['anonymous', anonymousViewer, LATER, 10, 3, 'sign in to enrol'],
    ['already started', citizen, EARLIER, 10, 3, /already started/],
    ['starting right now', citizen, NOW, 10, 3, /already started/],
    ['full', citizen, LATER, 10, 10, 'the workshop is full'],
  ] as const)(
    '%s',
    (_, viewer, startsAt, capacity, enrolledCount, expected) => {
      const reason = canEnrolInWorkshop(
        viewer,
        { startsAt, capacity, enrolledCount },
        NOW,
      );
      if (expected === null) expect(reason).toBeNull();
      else expect(reason).toMatch(expected);
    },
  );
});

describe('foreign ids', () => {
  it.each([
    [TRAFFIC_LIGHT_ID, 'mob-tl-13201-04', '13201'],
    [TRAFFIC_LIGHT_ID, 'mob-tl-13216-01', '13216'],
    [TRAFFIC_LIGHT_ID, 'mob-tl-13217-01', null],
    [TRAFFIC_LIGHT_ID, 'mob-tl-13201-05', null],
    [TRAFFIC_LIGHT_ID, 'mob-ts-13201-01', null],
    [WATER_METER_ID, 'env-wm-13208-3', '13208'],
    [WATER_METER_ID, 'env-wm-13208-4', null],
  ])('%s matches %s → district %s', (pattern, id, district) => {
    expect(districtOfAssetId(pattern, id)).toBe(district);
  });
});

describe('rankDigitalDivide', () => {
  const indicator = (
    district: string,
    residentsWithoutInternet: number,
    broadbandCoverage: number,
  ): DigitalInclusionIndicatorDoc => ({
    _id: `eng-di-${district}-2026-11`,
    district,
    period: '2026-11',
    observedAt: new Date('2026-11-01T00:00:00Z'),
    broadbandCoverage,
    residentsWithoutInternet,
    digitalHelpSessions: 10,
    digitalHelpAttendees: 50,
  });

  it('ranks the most left behind first with a 0..100 score', () => {
    const rows = rankDigitalDivide([
      indicator('13208', 5, 95),
      indicator('13215', 20, 85),
      indicator('13216', 10, 70),
    ]);
    expect(rows.map((r) => [r.rank, r.district.code, r.divideScore])).toEqual([
      [1, '13215', 66],
      [2, '13216', 42],
      [3, '13208', 17],
    ]);
    expect(rows[0]?.helpSessionsPer10000).toBeGreaterThan(0);
  });

  it('returns nothing for no indicators', () => {
    expect(rankDigitalDivide([])).toEqual([]);
  });
});
