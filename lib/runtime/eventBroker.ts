/**
 * The event broker: where departments' events go once they leave their
 * outbox, and where the live city (subscriptions, analysis) reads them.
 * One interface, two adapters: Redis Streams for every real deployment
 * (docs/decisions/0006-events-through-redis-streams.md) and an in-process
 * one for tests and single-process embedding.
 *
 * Layout in Redis: one stream per department, `<prefix>events:<department>`,
 * one entry per event with the fields `id` (the event id) and `e` (the event
 * as JSON). Streams are trimmed to about `maxLength` entries, so the broker's
 * memory is bounded; a consumer that falls further behind than that loses
 * the oldest entries (docs/live.md, "Delivery guarantees").
 */
import { Redis } from 'ioredis';
import type { CityEvent } from './cityEvents.js';
import type { Logger } from './logger.js';

/** A stream's name: the department (or subgraph) whose events it carries. */
export type EventSource = string;

/** One event as read from the broker, with the broker's position of it. */
export interface BrokerEntry {
  readonly source: EventSource;
  /** The broker's id of the entry (Redis: `<ms>-<seq>`). */
  readonly position: string;
  readonly event: CityEvent;
}

/** Options of {@link EventBroker.follow}. */
export interface FollowOptions {
  /** The departments to follow. */
  readonly sources: readonly EventSource[];
  /** Called for each entry, in stream order per source; awaited before the next read. */
  readonly onEntries: (entries: readonly BrokerEntry[]) => void | Promise<void>;
  /**
   * Whether anyone wants entries now (the gateway's live hub with no
   * subscription open does not). While it answers false the follower reads
   * and parses no entry: it only keeps its positions at the streams' ends
   * (Redis: one `XREVRANGE … COUNT 1` per stream every
   * {@link FOLLOW_IDLE_REFRESH_MS}), so once it answers true again it hands on
   * what is appended from then on (and at most that long before), not a
   * backlog.
   * @default () => true
   */
  readonly wanted?: () => boolean;
}

/** How often a follower nobody wants moves its positions to the streams' ends. */
export const FOLLOW_IDLE_REFRESH_MS = 100;
/** How often a follower nobody wants asks again whether it is wanted. */
const FOLLOW_IDLE_CHECK_MS = 20;

/** A running read of the broker. */
export interface EventFollower {
  /** Resolves once the follower is reading (its start positions are fixed). */
  readonly ready: Promise<void>;
  /** Stops reading; resolves once the last read has ended. */
  stop(): Promise<void>;
}

/** The broker as publishers (outbox relays) and consumers (the live city) see it. */
export interface EventBroker {
  /** Appends events to the source's stream, in order; resolves once the broker has them all. */
  append(source: EventSource, events: readonly CityEvent[]): Promise<void>;
  /**
   * Follows the sources from now on: every entry appended after `ready`
   * resolves is handed to `onEntries`, also across reconnections (the read
   * resumes from the last position it saw, so a broker outage shorter than
   * the stream's length loses nothing for a follower).
   */
  follow(options: FollowOptions): EventFollower;
  /** Whether the broker answers now (readiness). */
  ping(): Promise<boolean>;
  /** Closes the broker's connections. */
  close(): Promise<void>;
}

/** Turns an event into the JSON a stream entry carries. */
export function serializeCityEvent(event: CityEvent): string {
  // JSON.stringify writes a Date as its toISOString(), in place: no copy of
  // the event is needed (one per reading at 5,000 a second). An invalid
  // Date would become null, so it is refused here as toISOString refused it.
  if (Number.isNaN(event.occurredAt.getTime()))
    throw new RangeError(`event ${event.id}: invalid occurredAt`);
  return JSON.stringify(event);
}

/**
 * Appends a batch's events to one stream in one command: ARGV is the stream's
 * length bound, then each event's id and JSON. One script instead of one
 * `XADD` each in a pipeline: the client builds, sends and reads back one
 * command per batch rather than 500 (about a tenth of the mobility
 * subgraph's CPU during ingestion). Redis runs it as the pipeline ran, each
 * `XADD` in order; an error stops it there, and the caller retries the batch
 * (event ids are deterministic, so consumers drop what was appended twice).
 */
const APPEND_SCRIPT = `
for i = 2, #ARGV, 2 do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'id', ARGV[i], 'e', ARGV[i + 1])
end
return (#ARGV - 1) / 2
`;

/** Events per script call (its arguments stay a few hundred kilobytes). */
const APPEND_CHUNK = 1000;

/** Reads an event back from a stream entry's JSON; throws on anything that is not one. */
export function parseCityEvent(json: string): CityEvent {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const entity = raw['entity'] as Record<string, unknown> | undefined;
  const occurredAt = new Date(String(raw['occurredAt']));
  if (
    typeof raw['id'] !== 'string' ||
    typeof raw['department'] !== 'string' ||
    typeof raw['type'] !== 'string' ||
    typeof entity?.['type'] !== 'string' ||
    typeof entity['id'] !== 'string' ||
    Number.isNaN(occurredAt.getTime())
  ) {
    throw new Error('not a city event');
  }
  return {
    ...(raw as unknown as CityEvent),
    occurredAt,
    payload: (raw['payload'] as CityEvent['payload'] | undefined) ?? {},
  };
}

/** Options of {@link createRedisEventBroker}. */
export interface RedisEventBrokerOptions {
  /** `REDIS_URL`. */
  readonly url: string;
  /** Key prefix (`REDIS_KEY_PREFIX`), so deployments and test runs sharing one Redis never collide. */
  readonly prefix: string;
  readonly logger: Logger;
  /**
   * Entries kept per stream (approximate trimming).
   * @default 100_000
   */
  readonly maxLength?: number;
  /**
   * How long one blocking read waits for entries before it reads again.
   * @default 5000
   */
  readonly blockMs?: number;
}

/**
 * The Redis Streams adapter. Connects in the background and reconnects
 * forever: a service starts while Redis is down, and commands fail at once
 * (no offline queue) so the outbox relay retries later instead of waiting.
 */
export function createRedisEventBroker(
  options: RedisEventBrokerOptions,
): EventBroker {
  const maxLength = options.maxLength ?? 100_000;
  const blockMs = options.blockMs ?? 5000;
  const streamKey = (source: EventSource) =>
    `${options.prefix}events:${source}`;
  const connect = (role: string) => {
    const redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 100, 2000),
    });
    let lastError = '';
    redis.on('error', (error: Error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      options.logger.warn({ err: error.message, role }, 'event broker error');
    });
    redis.on('ready', () => {
      if (lastError !== '')
        options.logger.info({ role }, 'event broker reachable again');
      lastError = '';
    });
    return redis;
  };
  const writer = connect('writer');
  writer.defineCommand('cityAppendEvents', {
    numberOfKeys: 1,
    lua: APPEND_SCRIPT,
  });
  const appendEvents = (
    writer as Redis & {
      cityAppendEvents(
        key: string,
        ...args: (string | number)[]
      ): Promise<number>;
    }
  ).cityAppendEvents.bind(writer);
  const followers = new Set<Redis>();

  return {
    async append(source, events) {
      if (events.length === 0) return;
      // Just connected or reconnecting: give it a moment rather than fail at once.
      await whenReady(writer, 1000);
      for (let i = 0; i < events.length; i += APPEND_CHUNK) {
        const args: (string | number)[] = [maxLength];
        for (const event of events.slice(i, i + APPEND_CHUNK))
          args.push(event.id, serializeCityEvent(event));
        await appendEvents(streamKey(source), ...args);
      }
    },

    follow({ sources, onEntries, wanted }) {
      const reader = connect('reader');
      followers.add(reader);
      const positions = new Map<string, string>();
      let stopped = false;
      let resolveReady!: () => void;
      const ready = new Promise<void>((resolve) => (resolveReady = resolve));

      const waitReady = () => whenReady(reader, 1000);
      // The last entry of each stream now (the beginning of one that does not
      // exist yet), in one round trip.
      const streamEnds = async (of: readonly EventSource[]) => {
        const pipeline = reader.pipeline();
        for (const source of of)
          pipeline.xrevrange(streamKey(source), '+', '-', 'COUNT', 1);
        const results = (await pipeline.exec()) ?? [];
        return of.map((source, i) => {
          const [error, last] = results[i] ?? [new Error('no answer')];
          if (error) throw error;
          return [source, (last as [string, string[]][])[0]?.[0]] as const;
        });
      };
      // Not wanted: no entry is read, the positions follow the streams' ends.
      const idle = async () => {
        let refreshed = 0;
        while (!stopped && wanted && !wanted()) {
          if (performance.now() - refreshed >= FOLLOW_IDLE_REFRESH_MS) {
            const ends = await streamEnds(sources);
            // Wanted meanwhile: an entry appended since then may be after
            // the wanting began, so the older positions stay.
            if (wanted()) break;
            for (const [source, end] of ends)
              if (end !== undefined) positions.set(source, end);
            refreshed = performance.now();
          }
          await sleep(FOLLOW_IDLE_CHECK_MS);
        }
      };

      const loop = async () => {
        // Fix the start positions first: the last entry of each stream now,
        // or the beginning of a stream that does not exist yet.
        while (!stopped && positions.size < sources.length) {
          try {
            await waitReady();
            const missing = sources.filter((s) => !positions.has(s));
            for (const [source, end] of await streamEnds(missing))
              positions.set(source, end ?? '0-0');
          } catch {
            await sleep(500);
          }
        }
        resolveReady();
        while (!stopped) {
          try {
            await waitReady();
            if (stopped) break;
            if (wanted && !wanted()) {
              await idle();
              continue;
            }
            const keys = sources.map(streamKey);
            const ids = sources.map((s) => positions.get(s) ?? '0-0');
            const reply = (await reader.xread(
              'COUNT',
              1000,
              'BLOCK',
              blockMs,
              'STREAMS',
              ...keys,
              ...ids,
            )) as [string, [string, string[]][]][] | null;
            if (!reply) continue;
            const entries: BrokerEntry[] = [];
            for (const [key, items] of reply) {
              const source = sources[keys.indexOf(key)];
              if (source === undefined) continue;
              for (const [position, fields] of items) {
                positions.set(source, position);
                const json = fields[fields.indexOf('e') + 1];
                try {
                  if (json === undefined) throw new Error('no event field');
                  entries.push({
                    source,
                    position,
                    event: parseCityEvent(json),
                  });
                } catch (error) {
                  options.logger.warn(
                    {
                      source,
                      position,
                      err: error instanceof Error ? error.message : error,
                    },
                    'unreadable event skipped',
                  );
                }
              }
            }
            if (entries.length > 0) await onEntries(entries);
          } catch (error) {
            if (stopped) break;
            options.logger.debug(
              { err: error instanceof Error ? error.message : error },
              'event read failed; retrying',
            );
            await sleep(200);
          }
        }
      };
      const running = loop();
      return {
        ready,
        async stop() {
          stopped = true;
          resolveReady();
          // A blocking read ends only when its connection does.
          reader.disconnect();
          followers.delete(reader);
          await running;
        },
      };
    },

    async ping() {
      try {
        return (await writer.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    async close() {
      for (const reader of followers) reader.disconnect();
      followers.clear();
      writer.disconnect();
    },
  };
}

/**
 * The in-process adapter: one process only (tests, a service embedding the
 * whole graph). Entries live in memory, `maxLength` per source.
 */
export function createMemoryEventBroker(
  options: { maxLength?: number } = {},
): EventBroker & {
  /** Makes `append` fail (true) or work again (false), as a broker outage would. */
  setDown(down: boolean): void;
  /** Entries held per source. */
  entries(source: EventSource): readonly BrokerEntry[];
} {
  const maxLength = options.maxLength ?? 100_000;
  const streams = new Map<EventSource, BrokerEntry[]>();
  const listeners = new Set<{
    sources: readonly EventSource[];
    deliver: (entries: readonly BrokerEntry[]) => void;
  }>();
  let down = false;
  let sequence = 0;
  return {
    async append(source, events) {
      if (down) throw new Error('event broker unavailable');
      const stream = streams.get(source) ?? [];
      streams.set(source, stream);
      const added = events.map((event) => ({
        source,
        position: `${Date.now()}-${sequence++}`,
        event,
      }));
      stream.push(...added);
      if (stream.length > maxLength)
        stream.splice(0, stream.length - maxLength);
      for (const listener of listeners)
        if (listener.sources.includes(source)) listener.deliver(added);
    },
    follow({ sources, onEntries, wanted }) {
      // Deliveries are chained so each waits for the previous one, as the
      // Redis follower awaits onEntries before reading again.
      let chain = Promise.resolve();
      const listener = {
        sources,
        deliver: (entries: readonly BrokerEntry[]) => {
          // Unwanted entries are passed over, as the Redis follower skips them.
          if (wanted && !wanted()) return;
          chain = chain.then(() => onEntries(entries)).catch(() => undefined);
        },
      };
      listeners.add(listener);
      return {
        ready: Promise.resolve(),
        async stop() {
          listeners.delete(listener);
          await chain;
        },
      };
    },
    async ping() {
      return !down;
    },
    async close() {
      listeners.clear();
    },
    setDown(value) {
      down = value;
    },
    entries: (source) => streams.get(source) ?? [],
  };
}

/** Resolves once the connection is ready, or after `ms` (the command then fails fast). */
function whenReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      redis.off('ready', done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
