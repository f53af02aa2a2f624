/**
 * Not public: where cached answers live. Two adapters behind one interface:
 * in the process (the embedded default, one gateway) and in Redis
 * (`REDIS_URL`: every replica reads and invalidates the same entries).
 *
 * Each entry is tagged with the entities its answer contains; invalidating
 * an entity drops every entry tagged with it. A miss that is being computed
 * while one of its entities is invalidated must not be stored afterwards
 * with the old value: the store keeps an invalidation sequence, the lookup
 * returns it, and `store` refuses an answer if any of its entities was
 * invalidated after that sequence (atomic in Redis: one script).
 *
 * Redis unavailable: lookups miss, nothing is stored, the gateway answers
 * from the subgraphs; invalidations that could not be applied are kept (at
 * most {@link PENDING_LIMIT} entities, past that every entry is dropped) and
 * applied first once Redis answers again, so an entry written before the
 * outage is never served after a change made during it. Logged once per
 * outage.
 */
import type { Redis } from 'ioredis';
import type { EnforcementReport } from '../../../lib/records/access/index.js';
import { describeError } from '../../../lib/runtime/errors.js';
import type { Logger } from '../../../lib/runtime/logger.js';

/** A cached answer. */
export interface CachedAnswer {
  readonly data: Record<string, unknown>;
  /** What the subgraphs reported enforcing when it was computed (replayed into the audit event). */
  readonly enforcement: readonly {
    subgraph: string;
    report: EnforcementReport;
  }[];
  /** When it was computed (ms since the epoch). */
  readonly storedAt: number;
  /** Its maxAge (seconds). */
  readonly maxAge: number;
}

/** The result of a lookup. */
export interface CacheLookup {
  readonly answer: CachedAnswer | null;
  /**
   * The invalidation sequence at the lookup, to hand to `store`; null when
   * the store is unavailable (nothing may be stored).
   */
  readonly sequence: number | null;
}

/** A response cache store. */
export interface ResponseCacheStore {
  readonly kind: 'memory' | 'redis';
  lookup(key: string): Promise<CacheLookup>;
  /**
   * Stores an answer for `ttlMs`, tagged with `entities`, unless one of them
   * was invalidated after `sequence`. Resolves whether it was stored.
   */
  store(
    key: string,
    answer: CachedAnswer,
    entities: readonly string[],
    ttlMs: number,
    sequence: number,
  ): Promise<boolean>;
  /** Drops every entry tagged with one of `entities`; resolves how many were dropped. */
  invalidate(entities: readonly string[]): Promise<number>;
}

/**
 * How long an invalidation is remembered for the refusal of late stores: longer
 * than any request may take between its lookup and its store (subgraph
 * timeouts are below the 60 s gateway-token lifetime).
 */
const INVALIDATION_MEMORY_MS = 120_000;

/** Options of {@link createMemoryResponseCacheStore}. */
export interface MemoryResponseCacheStoreOptions {
  /** Entries kept at most; the least recently used goes first. */
  readonly maxEntries: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** The in-process store: an LRU of entries with their tags. */
export function createMemoryResponseCacheStore(
  options: MemoryResponseCacheStoreOptions,
): ResponseCacheStore {
  const now = options.now ?? Date.now;
  // Answers are kept as JSON text, so nothing a request does with its
  // answer's objects can show in another's.
  const entries = new Map<
    string,
    { answer: string; expiresAt: number; entities: readonly string[] }
  >();
  const tags = new Map<string, Set<string>>();
  // Entity → { sequence, at } of its last invalidation, oldest first.
  const invalidated = new Map<string, { sequence: number; at: number }>();
  let sequence = 0;

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return false;
    entries.delete(key);
    for (const entity of entry.entities) {
      const keys = tags.get(entity);
      keys?.delete(key);
      if (keys?.size === 0) tags.delete(entity);
    }
    return true;
  };

  return {
    kind: 'memory',
    async lookup(key) {
      const entry = entries.get(key);
      if (entry && entry.expiresAt <= now()) drop(key);
      else if (entry) {
        // Most recently used last.
        entries.delete(key);
        entries.set(key, entry);
        return {
          answer: JSON.parse(entry.answer) as CachedAnswer,
          sequence,
        };
      }
      return { answer: null, sequence };
    },
    async store(key, answer, entities, ttlMs, since) {
      for (const entity of entities) {
        const last = invalidated.get(entity);
        if (last && last.sequence > since) return false;
      }
      drop(key);
      entries.set(key, {
        answer: JSON.stringify(answer),
        expiresAt: now() + ttlMs,
        entities,
      });
      for (const entity of entities) {
        let keys = tags.get(entity);
        if (!keys) tags.set(entity, (keys = new Set()));
        keys.add(key);
      }
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        drop(oldest.value);
      }
      return true;
    },
    async invalidate(entities) {
      sequence += 1;
      const at = now();
      let dropped = 0;
      for (const entity of entities) {
        for (const key of [...(tags.get(entity) ?? [])])
          if (drop(key)) dropped += 1;
        invalidated.delete(entity);
        invalidated.set(entity, { sequence, at });
      }
      for (const [entity, last] of invalidated) {
        if (at - last.at < INVALIDATION_MEMORY_MS) break;
        invalidated.delete(entity);
      }
      return dropped;
    },
  };
}

/** Entities whose invalidation waits for Redis at most; past that, every entry is dropped. */
export const PENDING_LIMIT = 10_000;

/** Options of {@link createRedisResponseCacheStore}. */
export interface RedisResponseCacheStoreOptions {
  readonly redis: Redis;
  /** `REDIS_KEY_PREFIX`; the cache's keys are `<prefix>rc:...`. */
  readonly prefix: string;
  readonly logger: Logger;
  /**
   * Longest wait for one Redis command before the request goes on without
   * the cache.
   * @default 250
   */
  readonly timeoutMs?: number;
}

// KEYS: entry, sequence, then for each entity its invalidation key and its
// tag set. ARGV: value, ttl ms, sequence at the lookup, entity count.
const STORE_SCRIPT = `
local n = tonumber(ARGV[4])
local since = tonumber(ARGV[3])
for i = 1, n do
  local last = redis.call('GET', KEYS[2 + i])
  if last and tonumber(last) > since then return 0 end
end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 1, n do
  local tag = KEYS[2 + n + i]
  redis.call('SADD', tag, KEYS[1])
  if redis.call('PTTL', tag) < ttl then redis.call('PEXPIRE', tag, ttl) end
end
return 1
`;

// KEYS: sequence, then for each entity its invalidation key and its tag set.
// ARGV: entity count, how long an invalidation is remembered (ms).
const INVALIDATE_SCRIPT = `
local n = tonumber(ARGV[1])
local sequence = redis.call('INCR', KEYS[1])
local dropped = 0
for i = 1, n do
  local tag = KEYS[1 + n + i]
  local members = redis.call('SMEMBERS', tag)
  for _, key in ipairs(members) do dropped = dropped + redis.call('DEL', key) end
  redis.call('DEL', tag)
  redis.call('SET', KEYS[1 + i], sequence, 'PX', tonumber(ARGV[2]))
end
return dropped
`;

// Drops every entry of the cache (after more invalidations were missed than can be kept).
const FLUSH_SCRIPT = `
local cursor = '0'
local dropped = 0
repeat
  local result = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = result[1]
  for _, key in ipairs(result[2]) do dropped = dropped + redis.call('DEL', key) end
until cursor == '0'
redis.call('INCR', KEYS[1])
return dropped
`;

class StoreTimeout extends Error {
  constructor(ms: number) {
    super(`no answer from Redis within ${ms} ms`);
  }
}

/** The Redis store (see the module comment). */
export function createRedisResponseCacheStore(
  options: RedisResponseCacheStoreOptions,
): ResponseCacheStore {
  const { redis, logger } = options;
  const timeoutMs = options.timeoutMs ?? 250;
  const base = `${options.prefix}rc:`;
  const sequenceKey = `${base}seq`;
  const entryKey = (key: string) => `${base}e:${key}`;
  const invalidatedKey = (entity: string) => `${base}i:${entity}`;
  const tagKey = (entity: string) => `${base}t:${entity}`;

  let available = true;
  const pending = new Set<string>();
  let flushPending = false;

  const withTimeout = <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StoreTimeout(timeoutMs)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  };

  const unavailable = (error: unknown) => {
    if (!available) return;
    available = false;
    logger.warn(
      { err: describeError(error) },
      'response cache: Redis unavailable, answering without the cache until it is back',
    );
  };

  const invalidateNow = async (entities: readonly string[]) =>
    Number(
      await withTimeout(
        redis.eval(
          INVALIDATE_SCRIPT,
          1 + 2 * entities.length,
          sequenceKey,
          ...entities.map(invalidatedKey),
          ...entities.map(tagKey),
          entities.length,
          INVALIDATION_MEMORY_MS,
        ),
      ),
    );

  /** Applies what an outage left undone; true once nothing is left. */
  const catchUp = async (): Promise<boolean> => {
    if (flushPending) {
      await withTimeout(redis.eval(FLUSH_SCRIPT, 1, sequenceKey, `${base}e:*`));
      flushPending = false;
      pending.clear();
    }
    if (pending.size > 0) {
      const entities = [...pending];
      await invalidateNow(entities);
      for (const entity of entities) pending.delete(entity);
    }
    return true;
  };

  /** Runs `work` once Redis is known to be back, catching up first. */
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    if (!available || flushPending || pending.size > 0) await catchUp();
    const result = await work();
    if (!available) {
      available = true;
      logger.info('response cache: Redis available again');
    }
    return result;
  };

  const remember = (entities: readonly string[]) => {
    if (flushPending) return;
    for (const entity of entities) pending.add(entity);
    if (pending.size > PENDING_LIMIT) {
      pending.clear();
      flushPending = true;
    }
  };

  return {
    kind: 'redis',
    async lookup(key) {
      try {
        const [raw, sequence] = await guarded(() =>
          withTimeout(redis.mget(entryKey(key), sequenceKey)),
        );
        return {
          answer: raw ? (JSON.parse(raw) as CachedAnswer) : null,
          sequence: Number(sequence ?? 0),
        };
      } catch (error) {
        unavailable(error);
        return { answer: null, sequence: null };
      }
    },
    async store(key, answer, entities, ttlMs, sequence) {
      try {
        const stored = await guarded(() =>
          withTimeout(
            redis.eval(
              STORE_SCRIPT,
              2 + 2 * entities.length,
              entryKey(key),
              sequenceKey,
              ...entities.map(invalidatedKey),
              ...entities.map(tagKey),
              JSON.stringify(answer),
              Math.max(1, Math.round(ttlMs)),
              sequence,
              entities.length,
            ),
          ),
        );
        return Number(stored) === 1;
      } catch (error) {
        unavailable(error);
        return false;
      }
    },
    async invalidate(entities) {
      if (entities.length === 0) return 0;
      try {
        return await guarded(() => invalidateNow(entities));
      } catch (error) {
        unavailable(error);
        remember(entities);
        return 0;
      }
    },
  };
}
