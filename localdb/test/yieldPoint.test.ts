import { describe, expect, it } from 'vitest';
import { YieldPoint } from '../src/query/yieldPoint.js';

describe('YieldPoint', () => {
  it('resumes paused reads one per event-loop turn, oldest first, with other callbacks between them', async () => {
    const order: string[] = [];
    const a = new YieldPoint(0).pause().then(() => order.push('a'));
    const b = new YieldPoint(0).pause().then(() => order.push('b'));
    const c = new YieldPoint(0).pause().then(() => order.push('c'));
    // Queued after the three pauses: with one setImmediate per pause it would run last.
    const other = new Promise<void>((resolve) =>
      setImmediate(() => {
        order.push('other');
        resolve();
      }),
    );
    await Promise.all([a, b, c, other]);
    expect(order).toEqual(['a', 'other', 'b', 'c']);
  });

  it('is due once its slice is used up, and not right after a pause', async () => {
    const point = new YieldPoint(0);
    expect(point.due()).toBe(true);
    const long = new YieldPoint(60_000);
    await long.pause();
    expect(long.due()).toBe(false);
  });
});
