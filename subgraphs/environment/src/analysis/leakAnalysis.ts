/**
 * Environment's live leak detection: on every batch of accepted water meter
 * readings, each (meter, night) the readings fall in is judged by the
 * minimum-night-flow rule (nightFlow.ts); a night that raises stores a
 * `WaterLeakAlert` (its id is the meter's and the night's, so every replica
 * and every re-judgement writes the same one, once) and publishes
 * `leakAlert.raised`. Readings outside the night window cost nothing. Time:
 * one indexed range read of the meter's readings over the judged night and
 * the 8 before it, per (meter, night) of the batch; memory: those readings.
 */
import type {
  CityEvent,
  EventPublisher,
} from '../../../../lib/runtime/cityEvents.js';
import type { Logger } from '../../../../lib/runtime/logger.js';
import type { LiveAnalysis } from '../../../../lib/subgraph-kit/liveAnalysis.js';
import {
  settlePendingEvents,
  withPendingEvents,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import type { EnvironmentModels, WaterLeakAlertDoc } from '../models/index.js';
import {
  judgeNight,
  judgementSpan,
  leakAlertId,
  leakSeverity,
  NIGHT_WINDOW,
  nightOf,
  type LeakVerdict,
  type NightWindow,
} from './nightFlow.js';

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The alert a raising verdict stands for (status OPEN), the same wherever it is computed. */
export function leakAlertOf(
  meter: { readonly _id: string; readonly district: string },
  verdict: LeakVerdict,
): WaterLeakAlertDoc {
  const { night } = verdict;
  const minimumNightFlow = round2(night.minimumFlow ?? 0);
  const baseline = round2(verdict.baseline ?? 0);
  const loss = round2(verdict.excess ?? 0);
  const last = night.readings.at(-1);
  return {
    _id: leakAlertId(meter._id, night.night),
    meterId: meter._id,
    district: meter.district,
    severity: leakSeverity(loss),
    status: 'OPEN',
    detectedAt: last?.observedAt ?? night.to,
    estimatedLoss: loss,
    description: `Minimum night flow of ${minimumNightFlow} m3/h on the night of ${night.night} (${NIGHT_WINDOW.fromHour}:00 to ${NIGHT_WINDOW.toHour}:00 ${NIGHT_WINDOW.timeZone}), ${loss} m3/h above the meter's baseline of ${baseline} m3/h (the lowest of the ${verdict.baselineNights} nights before).`,
    acknowledgedAt: null,
    acknowledgedBy: null,
    note: null,
    detection: {
      rule: 'MINIMUM_NIGHT_FLOW',
      night: night.night,
      from: night.from,
      to: night.to,
      minimumNightFlow,
      baseline,
      baselineNights: verdict.baselineNights,
      readingIds: night.readings.map((r) => r._id),
    },
  };
}

/** The event of a raised alert: deterministic id, so a re-judgement or another replica is counted once. */
export function leakRaisedEvent(alert: WaterLeakAlertDoc): CityEvent {
  return {
    id: `leakAlert.raised:${alert._id}`,
    department: 'environment',
    type: 'leakAlert.raised',
    entity: { type: 'WaterLeakAlert', id: alert._id },
    district: alert.district,
    occurredAt: alert.detectedAt,
    payload: {
      meterId: alert.meterId,
      severity: alert.severity,
      estimatedLoss: alert.estimatedLoss,
    },
  };
}

/** Options of {@link createLeakAnalysis}. */
export interface LeakAnalysisOptions {
  readonly models: Pick<
    EnvironmentModels,
    'WaterMeter' | 'WaterConsumptionObserved' | 'WaterLeakAlert'
  >;
  readonly events: EventPublisher;
  readonly logger: Logger;
}

/**
 * Judges one meter's night from the database; stores the alert it raises
 * (once) and returns it, or null.
 */
export async function detectLeak(
  models: LeakAnalysisOptions['models'],
  meterId: string,
  window: NightWindow,
): Promise<WaterLeakAlertDoc | null> {
  const span = judgementSpan(window);
  const [meter, readings] = await Promise.all([
    models.WaterMeter.findById(meterId)
      .select({ _id: 1, district: 1 })
      .lean()
      .exec(),
    models.WaterConsumptionObserved.find({
      'device.id': meterId,
      observedAt: { $gt: span.from, $lte: span.to },
    })
      .select({ _id: 1, observedAt: 1, intervalStart: 1, consumption: 1 })
      .lean()
      .exec(),
  ]);
  if (!meter) return null;
  const verdict = judgeNight(readings, window);
  if (!verdict.raises) return null;
  const alert = leakAlertOf(meter, verdict);
  const { _id, ...fields } = alert;
  // A new alert carries its event from the insert on (pendingEvents.ts): a
  // crash before the outbox write leaves it for the relay's sweep.
  await models.WaterLeakAlert.updateOne(
    { _id },
    { $setOnInsert: withPendingEvents(fields, [leakRaisedEvent(alert)]) },
    { upsert: true },
  ).exec();
  return alert;
}

/** The analysis `runSubgraph` feeds with environment's `reading.received` events. */
export function createLeakAnalysis(options: LeakAnalysisOptions): LiveAnalysis {
  return {
    name: 'water-leak',
    eventTypes: ['reading.received'],
    async handle(events) {
      const judged = new Map<
        string,
        { meterId: string; window: NightWindow }
      >();
      for (const event of events) {
        if (event.entity.type !== 'WaterMeter') continue;
        const window = nightOf(event.occurredAt);
        if (!window) continue;
        judged.set(`${event.entity.id}|${window.night}`, {
          meterId: event.entity.id,
          window,
        });
      }
      const raised: CityEvent[] = [];
      for (const { meterId, window } of judged.values()) {
        const alert = await detectLeak(options.models, meterId, window);
        if (alert) raised.push(leakRaisedEvent(alert));
      }
      if (raised.length > 0) {
        await options.events.publish(raised);
        for (const event of raised)
          await settlePendingEvents(
            options.models.WaterLeakAlert,
            event.entity.id,
            [event.id],
          );
        options.logger.info(
          { alerts: raised.map((e) => e.entity.id) },
          'water leak alerts raised',
        );
      }
    },
  };
}
