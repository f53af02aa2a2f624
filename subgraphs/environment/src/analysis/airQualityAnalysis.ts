/**
 * Environment's live air-quality analysis: on every batch of accepted
 * AirQualityObserved readings, the European Air Quality Index of each
 * (station, hour) they fall in is computed from the database
 * (stationIndex.ts) and compared with the station's previous hour; a change
 * of band publishes `airQuality.bandChanged` through the outbox, which
 * `Subscription.airQualityAlert(district, minLevel)` delivers to the
 * subscribers whose `minLevel` the change crosses into. The hour after each
 * is judged again too (a late reading changes what it is compared with).
 * Time: one indexed range read per station of the batch, over its hours and
 * the 48 before; memory: those readings (about 50 per station and hour
 * judged), nothing kept between batches.
 */
import type {
  CityEvent,
  EventPublisher,
} from '../../../../lib/runtime/cityEvents.js';
import type { Logger } from '../../../../lib/runtime/logger.js';
import type { LiveAnalysis } from '../../../../lib/subgraph-kit/liveAnalysis.js';
import type { EnvironmentModels } from '../models/index.js';
import { AIR_QUALITY_BANDS } from '../airQualityIndex.js';
import {
  bandChangeAt,
  crossesInto,
  hourEndOf,
  INDEX_LOOKBACK_MS,
  type BandChange,
} from './stationIndex.js';

const HOUR_MS = 3_600_000;

/** The id of the alert an hour's band change stands for: `<station id>@<hour end>`. */
export function airQualityAlertId(stationId: string, hourEnd: Date): string {
  return `${stationId}@${hourEnd.toISOString()}`;
}

/** Reads an {@link airQualityAlertId} back; null for anything else. */
export function parseAirQualityAlertId(
  id: string,
): { stationId: string; hourEnd: Date } | null {
  const at = id.lastIndexOf('@');
  if (at <= 0) return null;
  const hourEnd = new Date(id.slice(at + 1));
  if (
    Number.isNaN(hourEnd.getTime()) ||
    hourEnd.toISOString() !== id.slice(at + 1) ||
    hourEndOf(hourEnd).getTime() !== hourEnd.getTime()
  )
    return null;
  return { stationId: id.slice(0, at), hourEnd };
}

/**
 * The event of a band change. Its id names the station, the hour and the new
 * level, so every replica announces the same change once, and a
 * re-judgement that lands on another band is a new event.
 */
export function bandChangedEvent(
  change: BandChange,
  district: string,
): CityEvent {
  const { index, previous } = change;
  return {
    id: `airQuality.bandChanged:${airQualityAlertId(index.stationId, index.to)}/${index.level}`,
    department: 'environment',
    type: 'airQuality.bandChanged',
    entity: {
      type: 'AirQualityAlert',
      id: airQualityAlertId(index.stationId, index.to),
    },
    district,
    occurredAt: index.to,
    payload: {
      stationId: index.stationId,
      level: index.level,
      band: index.band,
      dominantPollutant: index.dominantPollutant,
      previousLevel: previous?.level ?? null,
      // The bands a subscriber's minLevel may name for this change to reach
      // it (the gateway routes on them): those the level rose into.
      crossedInto: AIR_QUALITY_BANDS.filter((_, i) =>
        crossesInto(i + 1, index.level, previous?.level ?? null),
      ),
    },
  };
}

/** Options of {@link createAirQualityAnalysis}. */
export interface AirQualityAnalysisOptions {
  readonly models: Pick<EnvironmentModels, 'AirQualityObserved'>;
  readonly events: EventPublisher;
  readonly logger: Logger;
}

/** The analysis `runSubgraph` feeds with environment's `reading.received` events. */
export function createAirQualityAnalysis(
  options: AirQualityAnalysisOptions,
): LiveAnalysis {
  return {
    name: 'air-quality-index',
    eventTypes: ['reading.received'],
    async handle(events) {
      // The hours to judge, per station (noise readings share the station type).
      const stations = new Map<
        string,
        { district: string; hours: Set<number> }
      >();
      for (const event of events) {
        if (
          event.entity.type !== 'AirQualityStation' ||
          event.payload['fiwareType'] !== 'AirQualityObserved' ||
          !event.district
        )
          continue;
        const entry = stations.get(event.entity.id) ?? {
          district: event.district,
          hours: new Set<number>(),
        };
        const hour = hourEndOf(event.occurredAt).getTime();
        entry.hours.add(hour);
        entry.hours.add(hour + HOUR_MS);
        stations.set(event.entity.id, entry);
      }
      const changes: CityEvent[] = [];
      for (const [stationId, { district, hours }] of stations) {
        const sorted = [...hours].sort((a, b) => a - b);
        const first = sorted[0] ?? 0;
        const last = sorted.at(-1) ?? 0;
        const readings = await options.models.AirQualityObserved.find({
          'device.id': stationId,
          observedAt: {
            $gt: new Date(first - INDEX_LOOKBACK_MS),
            $lte: new Date(last),
          },
        })
          .select({
            _id: 1,
            observedAt: 1,
            no2: 1,
            pm10: 1,
            pm25: 1,
            o3: 1,
            so2: 1,
          })
          .lean()
          .exec();
        for (const hour of sorted) {
          const change = bandChangeAt(stationId, readings, new Date(hour));
          if (change) changes.push(bandChangedEvent(change, district));
        }
      }
      if (changes.length > 0) {
        await options.events.publish(changes);
        options.logger.debug(
          { alerts: changes.map((e) => e.entity.id) },
          'air-quality bands changed',
        );
      }
    },
  };
}
