import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';

// The defaults and a valid value: rollupsConfig.test.ts.
describe('loadConfig: readings', () => {
  it('names a raw retention that is not a whole number of days from 1', () => {
    for (const bad of ['0', '1.5', 'ninety', '-3'])
      expect(() => loadConfig({ READINGS_RAW_RETENTION_DAYS: bad })).toThrow(
        /READINGS_RAW_RETENTION_DAYS must be an integer from 1 to 36500/,
      );
  });
});
