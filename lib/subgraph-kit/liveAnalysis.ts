/**
 * Real-time analysis inside a department: handlers a subgraph's
 * `createServer` returns, which `runSubgraph` feeds with the department's
 * own events as the broker delivers them (every replica's, so a replica's
 * analysis sees all the department's data). A handler reads what it needs
 * from the department's database and publishes what it concludes as events
 * of its own (docs/live.md, "Real-time analysis").
 */
import type { CityEvent } from '../runtime/cityEvents.js';
import type { EventBroker, EventFollower } from '../runtime/eventBroker.js';
import type { Logger } from '../runtime/logger.js';

/** One analysis of a department's events. */
export interface LiveAnalysis {
  /** For logs, e.g. `traffic-congestion`. */
  readonly name: string;
  /** The event types it reads. */
  readonly eventTypes: readonly string[];
  /** Handles a batch of events (in stream order); a rejection is logged and the batch skipped. */
  handle(events: readonly CityEvent[]): Promise<void>;
}

/** Options of {@link startLiveAnalyses}. */
export interface StartLiveAnalysesOptions {
  readonly broker: EventBroker;
  /** The department whose stream is followed. */
  readonly source: string;
  readonly analyses: readonly LiveAnalysis[];
  readonly logger: Logger;
}

/**
 * Follows the department's stream from now on and hands each analysis the
 * events it reads. Events that arrived while the process was down are not
 * replayed: analyses publish changes, and the graph's analysis fields are
 * computed from the database whenever they are asked.
 */
export function startLiveAnalyses(
  options: StartLiveAnalysesOptions,
): EventFollower {
  return options.broker.follow({
    sources: [options.source],
    onEntries: async (entries) => {
      for (const analysis of options.analyses) {
        const events = entries
          .map((e) => e.event)
          .filter((e) => analysis.eventTypes.includes(e.type));
        if (events.length === 0) continue;
        try {
          await analysis.handle(events);
        } catch (error) {
          options.logger.error(
            {
              analysis: analysis.name,
              err: error instanceof Error ? error.message : String(error),
            },
            'live analysis failed on a batch; skipped',
          );
        }
      }
    },
  });
}
