import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RAW_RETENTION_DAYS,
  loadConfig,
} from '../../runtime/config.js';

describe('loadConfig: readings', () => {
  it('keeps raw readings 90 days unless READINGS_RAW_RETENTION_DAYS says otherwise', () => {
    expect(DEFAULT_RAW_RETENTION_DAYS).toBe(90);
    expect(loadConfig({}).readings.rawRetentionDays).toBe(90);
    expect(
      loadConfig({ READINGS_RAW_RETENTION_DAYS: ' 30 ' }).readings
        .rawRetentionDays,
    ).toBe(30);
  });

  it('names a retention that is not a whole number of days from 1', () => {
    for (const bad of ['0', '1.5', 'ninety', '-3'])
      expect(() => loadConfig({ READINGS_RAW_RETENTION_DAYS: bad })).toThrow(
        /READINGS_RAW_RETENTION_DAYS must be an integer from 1 to 36500/,
      );
  });
});
