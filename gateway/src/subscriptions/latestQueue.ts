/**
 * A bounded queue between the broker and one subscriber: when the
 * subscriber reads slower than events come, the oldest waiting events are
 * dropped and the newest kept ("drop to latest state"), so a slow consumer
 * costs a fixed amount of memory and never delays the others.
 */

/** Returned by {@link LatestQueue.take} once the queue is closed. */
export const CLOSED: unique symbol = Symbol('closed');

/** A bounded queue that keeps the newest items. */
export interface LatestQueue<T> {
  /** Adds an item; when full, the oldest waiting item is dropped. */
  push(item: T): void;
  /** The next item, waiting for one; {@link CLOSED} once closed. */
  take(): Promise<T | typeof CLOSED>;
  /** Ends the queue: a waiting `take` resolves to {@link CLOSED}, later pushes are ignored. */
  close(): void;
  /** Items dropped so far. */
  readonly dropped: number;
  /** Items waiting. */
  readonly size: number;
}

/** Creates a queue holding at most `capacity` waiting items. */
export function createLatestQueue<T>(capacity: number): LatestQueue<T> {
  const items: T[] = [];
  let waiter: ((item: T | typeof CLOSED) => void) | null = null;
  let closed = false;
  let dropped = 0;
  return {
    push(item) {
      if (closed) return;
      if (waiter) {
        const resolve = waiter;
        waiter = null;
        resolve(item);
        return;
      }
      items.push(item);
      if (items.length > capacity) {
        items.shift();
        dropped += 1;
      }
    },
    take() {
      if (items.length > 0) return Promise.resolve(items.shift() as T);
      if (closed) return Promise.resolve(CLOSED);
      return new Promise((resolve) => (waiter = resolve));
    },
    close() {
      closed = true;
      items.length = 0;
      waiter?.(CLOSED);
      waiter = null;
    },
    get dropped() {
      return dropped;
    },
    get size() {
      return items.length;
    },
  };
}
