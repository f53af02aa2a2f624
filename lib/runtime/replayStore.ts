/**
 * Single-use identifiers within a lifetime: the store a subgraph uses to
 * refuse a gateway token (its `jti`) it has seen before. With several
 * replicas of a subgraph the store must be shared (Redis), or a token
 * refused by one replica would be accepted once by each of the others; the
 * in-process store is the embedded default for one process.
 */
import type { Redis } from 'ioredis';

/** Remembers identifiers until they expire. */
export interface ReplayStore {
  /**
   * Claims `id` until `expiresAtMs` (epoch milliseconds). Resolves true the
   * first time, false when the id was already claimed and has not expired.
   * @throws Error when the shared store cannot be reached (callers fail closed).
   */
  claim(id: string, expiresAtMs: number): Promise<boolean>;
}

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Clock, for tests.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** An in-process {@link ReplayStore} (one process; the embedded default). */
export function createMemoryReplayStore(
  options: MemoryReplayStoreOptions = {},
): ReplayStore {
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  let nextSweep = 0;
  return {
    async claim(id, expiresAtMs) {
      const at = now();
      // Sweep expired ids at most once a second: the map holds at most one
      // lifetime's worth of tokens.
      if (at >= nextSweep) {
        for (const [key, expires] of seen) if (expires <= at) seen.delete(key);
        nextSweep = at + 1000;
      }
      const expires = seen.get(id);
      if (expires !== undefined && expires > at) return false;
      seen.set(id, expiresAtMs);
      return true;
    },
  };
}

/** Options of {@link createRedisReplayStore}. */
export interface RedisReplayStoreOptions {
  readonly redis: Redis;
  /** Key prefix (`REDIS_KEY_PREFIX`), so deployments and test runs sharing one Redis never collide. */
  readonly prefix: string;
}

/** A {@link ReplayStore} shared by every replica through Redis (`SET NX PXAT`). */
export function createRedisReplayStore(
  options: RedisReplayStoreOptions,
): ReplayStore {
  const { redis, prefix } = options;
  return {
    async claim(id, expiresAtMs) {
      const result = await redis.set(
        `${prefix}jti:${id}`,
        '1',
        'PXAT',
        Math.max(expiresAtMs, Date.now() + 1),
        'NX',
      );
      return result === 'OK';
    },
  };
}
