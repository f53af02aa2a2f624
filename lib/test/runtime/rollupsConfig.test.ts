import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';

describe('loadConfig: readings and rollups', () => {
  it('keeps raw readings 90 days and rollups 400 days (15m) and 10 years (1h, 1d), recomputed every 2 s', () => {
    const config = loadConfig({});
    expect(config.readings.rawRetentionDays).toBe(90);
    expect(config.rollups).toEqual({
      intervalMs: 2000,
      retentionDays: { '15m': 400, '1h': 3650, '1d': 3650 },
    });
  });

  it('reads each variable', () => {
    const config = loadConfig({
      READINGS_RAW_RETENTION_DAYS: '30',
      ROLLUP_INTERVAL_MS: '500',
      ROLLUP_RETENTION_15M_DAYS: '60',
      ROLLUP_RETENTION_1H_DAYS: '700',
      ROLLUP_RETENTION_1D_DAYS: '7000',
    });
    expect(config.readings.rawRetentionDays).toBe(30);
    expect(config.rollups).toEqual({
      intervalMs: 500,
      retentionDays: { '15m': 60, '1h': 700, '1d': 7000 },
    });
  });

  it('refuses 15-minute rollups that would expire before the raw readings they are recomputed from', () => {
    expect(() =>
      loadConfig({
        READINGS_RAW_RETENTION_DAYS: '120',
        ROLLUP_RETENTION_15M_DAYS: '100',
      }),
    ).toThrow(
      /ROLLUP_RETENTION_15M_DAYS \(100\) must be above READINGS_RAW_RETENTION_DAYS \(120\)/,
    );
    expect(() => loadConfig({ ROLLUP_INTERVAL_MS: '0' })).toThrow(
      /ROLLUP_INTERVAL_MS must be an integer from 50/,
    );
  });
});
