import { describe, expect, it } from 'vitest';
import { createMemoryReplayStore } from '../../runtime/replayStore.js';

describe('createMemoryReplayStore', () => {
  it('claims an id once until it expires, then again', async () => {
    let now = 1_000;
    const store = createMemoryReplayStore({ now: () => now });
    expect(await store.claim('a', 2_000)).toBe(true);
    expect(await store.claim('a', 2_000)).toBe(false);
    expect(await store.claim('b', 2_000)).toBe(true);
    now = 2_500;
    expect(await store.claim('a', 3_000)).toBe(true);
  });
});
