/**
 * Test support (not for production code): an {@link EventPublisher} that
 * keeps what it is given, so a test can assert which events a resolver
 * published (or that it published none).
 */
import type { CityEvent, EventPublisher } from '../../runtime/cityEvents.js';

/** A publisher that records. */
export interface RecordingEventPublisher extends EventPublisher {
  /** Every event published so far, in order. */
  readonly published: CityEvent[];
}

/** Creates a publisher that records every event in `published`. */
export function createRecordingEventPublisher(): RecordingEventPublisher {
  const published: CityEvent[] = [];
  return {
    published,
    async publish(events) {
      published.push(...events);
    },
  };
}
