/**
 * How a resolver announces the state change it has just made: one
 * {@link CityEvent} to the department's outbox (docs/live.md). The change is
 * already written when this runs, so a failure to record the event is
 * logged, not thrown: the caller's write succeeded and its answer must say
 * so. A crash between the change and this call loses the event: a change
 * that can record its events in its own write does so and announces them
 * with `publishRecordedChange` (pendingEvents.ts) instead.
 */
import type { CityEvent } from '../runtime/cityEvents.js';
import type { SubgraphContext } from './subgraphService.js';

/** Publishes `events` through the request's publisher; logs (never throws) when the outbox is unreachable. */
export async function publishChange(
  ctx: Pick<SubgraphContext, 'events' | 'logger'>,
  ...events: CityEvent[]
): Promise<void> {
  try {
    await ctx.events.publish(events);
  } catch (error) {
    ctx.logger.error(
      {
        events: events.map((e) => e.id),
        err: error instanceof Error ? error.message : String(error),
      },
      'state change made but its event not recorded',
    );
  }
}
