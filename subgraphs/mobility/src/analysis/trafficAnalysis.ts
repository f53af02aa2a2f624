/**
 * Mobility's live congestion analysis: on every batch of accepted traffic
 * readings, the 5-minute window of each district they touch is computed
 * from the database (congestionWindow.ts), and a `traffic.changed` event is
 * published when the district's level changed or its mean occupancy moved
 * by {@link OCCUPANCY_STEP} since the last event. Memory: one entry per
 * district. Time: one indexed range read per district and batch, or, with
 * `minIntervalMs`, per district at most that often (the window then ends at
 * the newest reading seen meanwhile).
 */
import type {
  CityEvent,
  EventPublisher,
} from '../../../../lib/runtime/cityEvents.js';
import type { Logger } from '../../../../lib/runtime/logger.js';
import type { LiveAnalysis } from '../../../../lib/subgraph-kit/liveAnalysis.js';
import type { MobilityQueries } from '../queries/index.js';
import {
  congestionOverWindow,
  type CongestionLevel,
} from './congestionWindow.js';

/** A change of mean occupancy (0 to 1) that is announced even within a level. */
export const OCCUPANCY_STEP = 0.05;

/**
 * How often the running service recomputes a district's window at most. A
 * window read returns every reading of the district's last 5 minutes, which
 * grows with the ingestion rate: read on every batch, the analysis cost
 * grew with the square of the rate (docs/ingestion.md, "Throughput").
 */
export const TRAFFIC_ANALYSIS_INTERVAL_MS = 1000;

/** Options of {@link createTrafficAnalysis}. */
export interface TrafficAnalysisOptions {
  readonly queries: Pick<MobilityQueries, 'trafficReadingsInWindow'>;
  readonly events: EventPublisher;
  readonly logger: Logger;
  /**
   * Windows are computed at most this often; batches arriving sooner are
   * gathered and computed together, when the interval is up (a failure
   * then is logged, not thrown). 0 computes on every batch, before `handle`
   * resolves.
   * @default 0
   */
  readonly minIntervalMs?: number;
}

/** The analysis `runSubgraph` feeds with mobility's `reading.received` events. */
export function createTrafficAnalysis(
  options: TrafficAnalysisOptions,
): LiveAnalysis {
  const announced = new Map<
    string,
    { level: CongestionLevel; occupancy: number | null }
  >();
  const minIntervalMs = options.minIntervalMs ?? 0;
  // The newest reading time per district not computed yet: it ends its window.
  const due = new Map<string, Date>();
  let lastRun = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const compute = async (ends: ReadonlyMap<string, Date>) => {
    const changes: CityEvent[] = [];
    for (const [district, to] of ends) {
      const from = new Date(to.getTime() - 5 * 60_000);
      const readings = await options.queries.trafficReadingsInWindow(
        district,
        from,
        to,
      );
      const window = congestionOverWindow(readings, 5, to);
      const before = announced.get(district);
      if (
        before &&
        before.level === window.level &&
        Math.abs((before.occupancy ?? 0) - (window.averageOccupancy ?? 0)) <
          OCCUPANCY_STEP
      )
        continue;
      announced.set(district, {
        level: window.level,
        occupancy: window.averageOccupancy,
      });
      changes.push({
        // The same window end gives the same id on every replica.
        id: `${district}@traffic/${to.toISOString()}`,
        department: 'mobility',
        type: 'traffic.changed',
        entity: { type: 'District', id: district },
        district,
        occurredAt: to,
        payload: {
          minutes: 5,
          level: window.level,
          previousLevel: before?.level ?? null,
          averageOccupancy: window.averageOccupancy,
          readingCount: window.readingCount,
        },
      });
    }
    if (changes.length > 0) {
      await options.events.publish(changes);
      options.logger.debug(
        { districts: changes.map((c) => c.district) },
        'traffic changed',
      );
    }
  };

  /** Computes what is due, one run at a time. */
  const run = () => {
    running = running.then(async () => {
      lastRun = Date.now();
      const ends = new Map(due);
      due.clear();
      if (ends.size > 0) await compute(ends);
    });
    return running;
  };

  return {
    name: 'traffic-congestion',
    eventTypes: ['reading.received'],
    async handle(events) {
      for (const event of events) {
        if (event.entity.type !== 'TrafficSensor' || !event.district) continue;
        const end = due.get(event.district);
        if (!end || event.occurredAt > end)
          due.set(event.district, event.occurredAt);
      }
      if (due.size === 0) return;
      const wait = lastRun + minIntervalMs - Date.now();
      if (minIntervalMs === 0 || (wait <= 0 && timer === null)) {
        await run();
        return;
      }
      timer ??= setTimeout(
        () => {
          timer = null;
          run().catch((error: unknown) =>
            options.logger.error(
              { err: error instanceof Error ? error.message : String(error) },
              'traffic analysis failed; the next readings compute it again',
            ),
          );
        },
        Math.max(0, wait),
      ).unref();
    },
  };
}
