/**
 * The shared Redis connection of a service (rate limits, replay store),
 * when `REDIS_URL` is set. Without it, services fall back to in-process
 * stores, which is right for the embedded single-process default only.
 */
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** Options of {@link connectRedis}. */
export interface ConnectRedisOptions {
  /** `REDIS_URL`, e.g. `redis://127.0.0.1:6379/0`. */
  readonly url: string;
  readonly logger: Logger;
}

/**
 * Connects to Redis and waits for the first connection. Commands fail at
 * once while it is unreachable (no offline queue), so callers decide how to
 * degrade instead of waiting.
 */
export async function connectRedis(
  options: ConnectRedisOptions,
): Promise<Redis> {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Reconnect forever, at most every 2 s.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // One line per distinct error, not one per retry.
    if (error.message === lastError) return;
    lastError = error.message;
    options.logger.warn({ err: error.message }, 'redis error');
  });
  redis.on('ready', () => {
    lastError = '';
  });
  await redis.connect();
  return redis;
}
