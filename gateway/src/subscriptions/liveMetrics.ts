/**
 * Not public: the live service's Prometheus families (docs/operations.md,
 * "Metrics"). Labels are the Subscription field (a handful, fixed by the
 * schema), the transport and the error code: never ids or arguments.
 */
import { counter, gauge, histogram } from '../../../lib/runtime/metrics.js';

/** How a subscriber is connected. */
export type LiveTransport = 'websocket' | 'sse';

/** The families, registered on first use. */
export const liveMetrics = {
  connections: gauge(
    'gateway_live_connections',
    'Subscription connections open now, by transport.',
    ['transport'],
  ),
  subscriptions: gauge(
    'gateway_live_subscriptions',
    'Subscriptions open now, by Subscription field.',
    ['field'],
  ),
  refused: counter(
    'gateway_live_subscriptions_refused_total',
    'Subscriptions and connections refused before anything was sent, by error code.',
    ['code'],
  ),
  delivered: counter(
    'gateway_live_events_delivered_total',
    'Events sent to subscribers (one per subscriber), by Subscription field.',
    ['field'],
  ),
  dropped: counter(
    'gateway_live_events_dropped_total',
    'Events dropped for slow subscribers (the newest are kept), by Subscription field.',
    ['field'],
  ),
  delivery: histogram(
    'gateway_live_delivery_seconds',
    'From an event reaching this gateway to its result being handed to the subscriber’s transport, by Subscription field.',
    ['field'],
  ),
};

/** Counts a refusal (`errors` answered instead of a stream) by the codes it carries. */
export function countRefusals(result: unknown): void {
  if (
    typeof result !== 'object' ||
    result === null ||
    !('errors' in result) ||
    !Array.isArray(result.errors)
  )
    return;
  for (const error of result.errors as readonly { extensions?: unknown }[]) {
    const extensions = error.extensions as { code?: unknown } | undefined;
    liveMetrics.refused.inc({
      code: typeof extensions?.code === 'string' ? extensions.code : 'UNKNOWN',
    });
  }
}
