/**
 * Mobility's live congestion analysis: on every batch of accepted traffic
 * readings, the 5-minute window of each district they touch is computed
 * from the database (congestionWindow.ts), and a `traffic.changed` event is
 * published when the district's level changed or its mean occupancy moved
 * by {@link OCCUPANCY_STEP} since the last event. Memory: one entry per
 * district. Time: one indexed range read per district and batch.
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

/** Options of {@link createTrafficAnalysis}. */
export interface TrafficAnalysisOptions {
  readonly queries: Pick<MobilityQueries, 'trafficReadingsInWindow'>;
  readonly events: EventPublisher;
  readonly logger: Logger;
}

/** The analysis `runSubgraph` feeds with mobility's `reading.received` events. */
export function createTrafficAnalysis(
  options: TrafficAnalysisOptions,
): LiveAnalysis {
  const announced = new Map<
    string,
    { level: CongestionLevel; occupancy: number | null }
  >();
  return {
    name: 'traffic-congestion',
    eventTypes: ['reading.received'],
    async handle(events) {
      // The newest reading time per district in this batch ends its window.
      const ends = new Map<string, Date>();
      for (const event of events) {
        if (event.entity.type !== 'TrafficSensor' || !event.district) continue;
        const end = ends.get(event.district);
        if (!end || event.occurredAt > end)
          ends.set(event.district, event.occurredAt);
      }
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
    },
  };
}
