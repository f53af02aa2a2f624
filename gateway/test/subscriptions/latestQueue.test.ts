import { describe, expect, it } from 'vitest';
import {
  CLOSED,
  createLatestQueue,
} from '../../src/subscriptions/latestQueue.js';

describe('createLatestQueue (a slow subscriber)', () => {
  it('keeps the newest items when the reader falls behind, and counts the dropped ones', async () => {
    const queue = createLatestQueue<number>(3);
    for (let i = 1; i <= 10; i++) queue.push(i);
    expect(queue.size).toBe(3);
    expect(queue.dropped).toBe(7);
    expect([
      await queue.take(),
      await queue.take(),
      await queue.take(),
    ]).toEqual([8, 9, 10]);
  });

  it('hands an item straight to a waiting reader, and ends a waiting read on close', async () => {
    const queue = createLatestQueue<string>(2);
    const waiting = queue.take();
    queue.push('a');
    expect(await waiting).toBe('a');
    const ended = queue.take();
    queue.close();
    expect(await ended).toBe(CLOSED);
    queue.push('late');
    expect(await queue.take()).toBe(CLOSED);
  });
});
