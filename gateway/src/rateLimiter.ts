/**
 * Internal to the gateway: requests per caller and fixed window. The
 * caller is the verified subject, or the client IP for anonymous callers
 * and refused tokens. With several gateway replicas the counters live in
 * Redis (one INCR per request, keys under `REDIS_KEY_PREFIX`), so replicas
 * agree; the in-process counter is the embedded single-process default.
 *
 * If Redis cannot be reached the request is let through (and logged): the
 * limiter protects the graph's capacity, and failing closed would turn a
 * Redis outage into a city-graph outage.
 */
import type { Redis } from 'ioredis';
import { describeError } from '../../lib/runtime/errors.js';
import type { Logger } from '../../lib/runtime/logger.js';

/** The verdict on one request. */
export interface RateLimitVerdict {
  readonly allowed: boolean;
  /** Seconds until the caller's window resets (for Retry-After). */
  readonly retryAfterSeconds: number;
}

/** Counts requests per caller key. */
export interface RateLimiter {
  hit(key: string): Promise<RateLimitVerdict>;
}

/** Options of the rate limiters. */
export interface RateLimiterOptions {
  /** Requests per window and caller (`RATE_LIMIT_REQUESTS`). */
  readonly requests: number;
  /** Window length (`RATE_LIMIT_WINDOW_MS`). */
  readonly windowMs: number;
  /**
   * Clock, for tests.
   * @default Date.now
   */
  readonly now?: () => number;
}

function verdict(
  count: number,
  options: RateLimiterOptions,
  at: number,
): RateLimitVerdict {
  const resetAt = (Math.floor(at / options.windowMs) + 1) * options.windowMs;
  return {
    allowed: count <= options.requests,
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt - at) / 1000)),
  };
}

/** An in-process {@link RateLimiter} (one gateway process). */
export function createMemoryRateLimiter(
  options: RateLimiterOptions,
): RateLimiter {
  const now = options.now ?? Date.now;
  let window = -1;
  let counts = new Map<string, number>();
  return {
    async hit(key) {
      const at = now();
      const current = Math.floor(at / options.windowMs);
      if (current !== window) {
        window = current;
        counts = new Map();
      }
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return verdict(count, options, at);
    },
  };
}

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions extends RateLimiterOptions {
  readonly redis: Redis;
  /** `REDIS_KEY_PREFIX`. */
  readonly prefix: string;
  readonly logger: Logger;
}

/** A {@link RateLimiter} shared by every gateway replica through Redis. */
export function createRedisRateLimiter(
  options: RedisRateLimiterOptions,
): RateLimiter {
  const now = options.now ?? Date.now;
  return {
    async hit(key) {
      const at = now();
      const window = Math.floor(at / options.windowMs);
      const redisKey = `${options.prefix}rl:${window}:${key}`;
      try {
        const [[, count] = [null, 0]] = (await options.redis
          .multi()
          .incr(redisKey)
          .pexpire(redisKey, options.windowMs * 2)
          .exec()) ?? [[null, 0]];
        return verdict(Number(count), options, at);
      } catch (error) {
        options.logger.warn(
          { err: describeError(error) },
          'rate limit not checked: redis unavailable',
        );
        return { allowed: true, retryAfterSeconds: 0 };
      }
    },
  };
}
