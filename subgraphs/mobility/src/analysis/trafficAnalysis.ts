/**
 * Mobility's live congestion analysis: on every batch of accepted traffic
 * readings, the 5-minute window of each district they touch is computed
 * from the database (congestionWindow.ts), and a `traffic.changed` event is
 * published when the district's level changed or its mean occupancy moved
 * by {@link OCCUPANCY_STEP} since the last event. Time: one indexed range
 * read per district and batch, or, with `minIntervalMs`, per district at most
 * that often (the window then ends at the newest reading seen meanwhile).
 *
 * Each district's last window is kept (memory: the readings of one 5-minute
 * window per district), so a read fetches only what the events since say
 * may have changed: the readings after the kept window's end, and those from
 * the oldest reading announced since (a late arrival) on. A reading's event
 * is published once it is stored, so a reading stored after the kept
 * window was read is in the new range or announced since, hence no older
 * than the oldest time announced. Under steady ingestion a district's read
 * returns the readings of the last interval rather than its whole window
 * (in `npm run bench:ingest`, whole windows came to about ten times as many
 * readings read as written: docs/live.md). A window that moves back in
 * time, or past the kept one entirely, is read whole.
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
  type WindowReading,
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

/** The window the analysis announces: 5 minutes. */
const WINDOW_MINUTES = 5;
const WINDOW_MS = WINDOW_MINUTES * 60_000;

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
  // Per district not computed yet, the oldest and the newest reading time
  // announced: the newest ends its window, the oldest bounds what to re-read.
  const due = new Map<string, { oldest: Date; newest: Date }>();
  // Per district, its last window as read: its end and its readings by id.
  const kept = new Map<
    string,
    { to: Date; readings: Map<string, WindowReading> }
  >();
  let lastRun = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  /** The district's readings with `to - 5 min < observedAt <= to`, reading only what may have changed. */
  const windowReadings = async (
    district: string,
    oldest: Date,
    to: Date,
  ): Promise<readonly WindowReading[]> => {
    const from = to.getTime() - WINDOW_MS;
    const held = kept.get(district);
    if (held && held.to <= to && held.to.getTime() > from) {
      // What changed since: the range after the kept end, and from the
      // oldest announced reading on (dates are whole milliseconds, so
      // `> since - 1 ms` is `>= since`).
      const since = Math.max(
        from + 1,
        Math.min(oldest.getTime(), held.to.getTime() + 1),
      );
      // A failed read forgets the kept window: the late arrivals announced
      // meanwhile are then read with the whole window next time.
      kept.delete(district);
      const fresh = await options.queries.trafficReadingsInWindow(
        district,
        new Date(since - 1),
        to,
      );
      kept.set(district, held);
      for (const r of fresh) held.readings.set(r._id, r);
      for (const [id, r] of held.readings)
        if (r.observedAt.getTime() <= from) held.readings.delete(id);
      held.to = to;
      return [...held.readings.values()];
    }
    const readings = await options.queries.trafficReadingsInWindow(
      district,
      new Date(from),
      to,
    );
    kept.set(district, {
      to,
      readings: new Map(readings.map((r) => [r._id, r])),
    });
    return readings;
  };

  const compute = async (
    ends: ReadonlyMap<string, { oldest: Date; newest: Date }>,
  ) => {
    const changes: CityEvent[] = [];
    for (const [district, { oldest, newest: to }] of ends) {
      const readings = await windowReadings(district, oldest, to);
      const window = congestionOverWindow(readings, WINDOW_MINUTES, to);
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
        const at = event.occurredAt;
        const span = due.get(event.district);
        if (!span) due.set(event.district, { oldest: at, newest: at });
        else if (at > span.newest) span.newest = at;
        else if (at < span.oldest) span.oldest = at;
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
