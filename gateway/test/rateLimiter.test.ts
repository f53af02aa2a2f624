import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../src/rateLimiter.js';

describe('createMemoryRateLimiter', () => {
  it('allows the window quota per caller, then refuses with the seconds left', async () => {
    let now = 10_000;
    const limiter = createMemoryRateLimiter({
      requests: 2,
      windowMs: 60_000,
      now: () => now,
    });
    expect((await limiter.hit('sub:a')).allowed).toBe(true);
    expect((await limiter.hit('sub:a')).allowed).toBe(true);
    expect(await limiter.hit('sub:a')).toEqual({
      allowed: false,
      retryAfterSeconds: 50,
    });
    expect((await limiter.hit('ip:127.0.0.1')).allowed).toBe(true);
    now = 60_000;
    expect((await limiter.hit('sub:a')).allowed).toBe(true);
  });
});
