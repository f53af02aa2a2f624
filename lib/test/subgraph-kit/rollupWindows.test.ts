import { describe, expect, it } from 'vitest';
import {
  chooseResolution,
  splitRange,
  windowsOf,
} from '../../subgraph-kit/rollupWindows.js';

const at = (iso: string) => new Date(iso);
const range = (from: string, to: string) => ({ from: at(from), to: at(to) });

describe('chooseResolution', () => {
  it('answers 15m up to 2 days, 1h up to 62 days, 1d beyond', () => {
    expect(chooseResolution(range('2026-11-01', '2026-11-03'))).toBe('15m');
    expect(chooseResolution(range('2026-11-01', '2026-11-03T00:00:01Z'))).toBe(
      '1h',
    );
    expect(chooseResolution(range('2026-10-01', '2026-12-01'))).toBe('1h');
    expect(chooseResolution(range('2025-12-01', '2026-12-01'))).toBe('1d');
  });

  it('keeps an asked resolution within its limit', () => {
    expect(chooseResolution(range('2026-11-01', '2026-11-08'), '15m')).toBe(
      '15m',
    );
    expect(() =>
      chooseResolution(range('2026-11-01', '2026-11-09'), '15m'),
    ).toThrow(/at most 7 days/);
    expect(() =>
      chooseResolution(range('2016-01-01', '2026-11-09'), '1d'),
    ).toThrow(/at most 3660 days/);
  });

  it('refuses a range that does not end after it starts, as BAD_USER_INPUT', () => {
    try {
      chooseResolution(range('2026-11-02', '2026-11-01'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        message: '"from" must be before "to".',
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'range' },
      });
    }
    expect(() => chooseResolution(range('2026-11-01', '2026-11-01'))).toThrow();
  });
});

describe('windowsOf', () => {
  it('gives the distinct 15-minute windows, oldest first', () => {
    expect(
      windowsOf([
        at('2026-11-01T10:29:59Z'),
        at('2026-11-01T10:00:00Z'),
        at('2026-11-01T10:15:00Z'),
        at('2026-11-01T10:14:59Z'),
      ]).map((d) => d.toISOString()),
    ).toEqual(['2026-11-01T10:00:00.000Z', '2026-11-01T10:15:00.000Z']);
  });
});

describe('splitRange', () => {
  it('takes days in the middle, then hours, 15-minute windows and raw parts towards the ends', () => {
    const pieces = splitRange(
      range('2026-11-01T22:07:00Z', '2026-11-04T01:50:00Z'),
    ).map((p) => [p.resolution, p.from.toISOString(), p.to.toISOString()]);
    expect(pieces).toEqual([
      ['raw', '2026-11-01T22:07:00.000Z', '2026-11-01T22:15:00.000Z'],
      ['15m', '2026-11-01T22:15:00.000Z', '2026-11-01T23:00:00.000Z'],
      ['1h', '2026-11-01T23:00:00.000Z', '2026-11-02T00:00:00.000Z'],
      ['1d', '2026-11-02T00:00:00.000Z', '2026-11-04T00:00:00.000Z'],
      ['1h', '2026-11-04T00:00:00.000Z', '2026-11-04T01:00:00.000Z'],
      ['15m', '2026-11-04T01:00:00.000Z', '2026-11-04T01:45:00.000Z'],
      ['raw', '2026-11-04T01:45:00.000Z', '2026-11-04T01:50:00.000Z'],
    ]);
  });

  it('keeps a range inside one window raw and an aligned hour whole', () => {
    expect(
      splitRange(range('2026-11-01T10:01:00Z', '2026-11-01T10:09:00Z')).map(
        (p) => p.resolution,
      ),
    ).toEqual(['raw']);
    expect(
      splitRange(range('2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z')).map(
        (p) => p.resolution,
      ),
    ).toEqual(['1h']);
  });
});
