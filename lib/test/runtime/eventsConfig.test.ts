import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';

describe('loadConfig: events', () => {
  it('uses the machine Redis for events in development when REDIS_URL is unset', () => {
    const config = loadConfig({});
    expect(config.events.redisUrl).toBe('redis://127.0.0.1:6379');
    // Only events default to it: rate limits and replay ids stay in-process.
    expect(config.redis.url).toBeUndefined();
  });

  it('has no broker in test without REDIS_URL, and REDIS_URL wins everywhere', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).events.redisUrl).toBeUndefined();
    expect(
      loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://broker:6380/2' })
        .events.redisUrl,
    ).toBe('redis://broker:6380/2');
  });

  it('names a bad stream length', () => {
    expect(() => loadConfig({ EVENTS_STREAM_MAX_LENGTH: '10' })).toThrow(
      /EVENTS_STREAM_MAX_LENGTH must be an integer from 100/,
    );
  });
});
