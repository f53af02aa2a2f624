import { describe, expect, it } from 'vitest';
import { decodeCursor } from '../../../lib/subgraph-kit/pagination.js';
import { anonymousViewer, createViewer } from '../../../lib/runtime/viewer.js';
import { canEnrolInWorkshop } from '../src/access.js';
import {
  districtOfAssetId,
  TRAFFIC_LIGHT_ID,
  WATER_METER_ID,
} from '../src/foreignIds.js';
import type { DigitalInclusionIndicatorDoc } from '../src/models/index.js';
import { paginateLoaded } from '../src/paginateLoaded.js';
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

describe('paginateLoaded', () => {
  const items = Array.from({ length: 7 }, (_, i) => ({
    _id: `r-${i}`,
    // Two items share each instant: _id breaks the tie.
    at: new Date(Date.UTC(2026, 10, 20, 10 - Math.floor(i / 2))),
  })).sort(
    (a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : -1),
  );

  it('walks every item once, in order, page by page', () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: ReturnType<typeof paginateLoaded<(typeof items)[number]>> =
        paginateLoaded(items, { first: 3, after }, 'at');
      seen.push(...page.nodes.map((n) => n._id));
      expect(page.totalCount).toBe(7);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(items.map((i) => i._id));
  });

  it('uses the same cursor format as lib/pagination', () => {
    const page = paginateLoaded(items, { first: 1 }, 'at');
    const [value, id] = decodeCursor(page.pageInfo.endCursor ?? '');
    expect(value).toEqual(items[0]?.at);
    expect(id).toBe(items[0]?._id);
  });

  it('rejects a page size over the maximum and a foreign cursor', () => {
    expect(() => paginateLoaded(items, { first: 101 }, 'at')).toThrow(
      /"first"/,
    );
    expect(() => paginateLoaded(items, { after: 'nope' }, 'at')).toThrow(
      /cursor/,
    );
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
