/**
 * Environment ingests FIWARE WaterConsumptionObserved: one reading of a
 * registered water meter (`refDevice`). The model's `waterConsumption` is the
 * meter's cumulative index ("total volume passed through the meter", m3 by
 * the model's schema; `LTR` converted), so the volume of an interval is the
 * difference with the meter's previous reading: stored as `consumption` with
 * `intervalStart` (the previous reading's time). Stored readings are never
 * changed (a time-series collection updates only its meta field, MongoDB
 * 7.0): a reading that arrives after the one that follows it is stored with
 * an unknown volume (`consumption: null`), since that later reading's
 * interval already holds it; totals over any range stay exact. Per meter and
 * batch: three indexed reads (the reading before, those within, the one
 * after the batch's span), then the readings through the ledger
 * (lib/ingest/storeObservations.ts `storeReadings`) and one state write.
 * The model's weekly statistics (minFlow, maxFlow) and alarms are not kept.
 */
import type { ObservationHandler } from '../../../../lib/ingest/createIngestPipeline.js';
import { deviceCounter } from '../../../../lib/ingest/ingestStats.js';
import type { ObservationSpec } from '../../../../lib/ingest/observationSpec.js';
import {
  storeReadings,
  type BulkWriteCollection,
} from '../../../../lib/ingest/storeObservations.js';
import type { Logger } from '../../../../lib/runtime/logger.js';
import { prepareReadingStorage } from '../../../../lib/subgraph-kit/readingSeries.js';
import type { ValidatedObservation } from '../../../../lib/ingest/validateObservation.js';
import { markDirtyWindows } from '../../../../lib/subgraph-kit/rollupPending.js';
import type {
  EnvironmentModels,
  WaterConsumptionObservedDoc,
  WaterMeterDoc,
} from '../models/index.js';

/** What environment accepts as WaterConsumptionObserved. */
export const waterConsumptionObservedSpec: ObservationSpec = {
  type: 'WaterConsumptionObserved',
  deviceType: 'WaterMeter',
  deviceAttributes: ['refDevice'],
  timeAttributes: ['dateObserved'],
  quantities: [
    {
      field: 'meterIndex',
      attributes: ['waterConsumption'],
      dimension: 'volume',
      defaultUnit: 'MTQ',
      possible: [0, 1e10],
      plausible: [0, 1e9],
    },
  ],
  // Meters report hourly: two missed hours make the state stale.
  staleAfterMs: 2 * 3_600_000,
  reportingIntervalMs: 3_600_000,
};

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** The stored reading of a validated observation, before its interval is known. */
export function toWaterConsumptionObserved(
  record: ValidatedObservation,
  role: WaterMeterDoc['role'],
): WaterConsumptionObservedDoc {
  const index = record.values['meterIndex'];
  return {
    _id: record.id,
    device: { id: record.deviceId, district: record.district },
    role,
    observedAt: record.observedAt,
    intervalStart: null,
    consumption: null,
    meterIndex: index === null || index === undefined ? null : round3(index),
    source: record.source,
    receivedAt: record.receivedAt,
    quality: record.quality,
  };
}

/** The volume between two indexes; null when the index went back (a replaced meter). */
export function volumeBetween(
  previous: number | null | undefined,
  current: number | null | undefined,
): number | null {
  if (previous === null || previous === undefined) return null;
  if (current === null || current === undefined) return null;
  const volume = current - previous;
  return volume < 0 ? null : round3(volume);
}

type Neighbour = Pick<
  WaterConsumptionObservedDoc,
  '_id' | 'observedAt' | 'meterIndex' | 'consumption' | 'intervalStart'
>;

const NEIGHBOUR_FIELDS = {
  _id: 1,
  observedAt: 1,
  meterIndex: 1,
  consumption: 1,
  intervalStart: 1,
} as const;

/** The WaterConsumptionObserved handler over environment's models. */
export function waterConsumptionObservedHandler(
  models: EnvironmentModels,
  logger: Logger,
): ObservationHandler {
  const readings = models.WaterConsumptionObserved;
  const ready = () =>
    prepareReadingStorage({ readings, keys: models.ReadingKey, logger });
  // The driver's collections (values are validated: no casting needed).
  const meterWrites: BulkWriteCollection = models.WaterMeter.collection;
  const roles = new Map<string, WaterMeterDoc['role']>();
  return {
    spec: waterConsumptionObservedSpec,
    countDevices: deviceCounter(
      models.WaterMeter.collection,
      'latestReading.observedAt',
    ),
    async findDevices(ids) {
      const meters = await models.WaterMeter.find({ _id: { $in: ids } })
        .select({ _id: 1, district: 1, location: 1, role: 1 })
        .lean()
        .exec();
      for (const m of meters) roles.set(m._id, m.role);
      return new Map(
        meters.map((m) => [
          m._id,
          { id: m._id, district: m.district, location: m.location },
        ]),
      );
    },
    async store(records) {
      const outcomes = records.map((): 'created' | 'duplicate' => 'duplicate');
      // The checks run before the reads below (a missing collection is created).
      await ready();
      const byMeter = new Map<string, number[]>();
      records.forEach((record, i) => {
        const list = byMeter.get(record.deviceId) ?? [];
        list.push(i);
        byMeter.set(record.deviceId, list);
      });
      const inserts: WaterConsumptionObservedDoc[] = [];
      const insertIndex: number[] = [];
      const newest = new Map<string, WaterConsumptionObservedDoc>();

      for (const [meterId, indexes] of byMeter) {
        const role = roles.get(meterId) ?? 'CONSUMPTION';
        const times = indexes.map((i) =>
          (records[i] as ValidatedObservation).observedAt.getTime(),
        );
        const min = new Date(Math.min(...times));
        const max = new Date(Math.max(...times));
        const [before, within, after] = await Promise.all([
          readings
            .findOne({
              'device.id': meterId,
              observedAt: { $lt: min },
              meterIndex: { $ne: null },
            })
            .sort({ observedAt: -1 })
            .select(NEIGHBOUR_FIELDS)
            .lean<Neighbour>()
            .exec(),
          readings
            .find({
              'device.id': meterId,
              observedAt: { $gte: min, $lte: max },
            })
            .select(NEIGHBOUR_FIELDS)
            .lean<Neighbour[]>()
            .exec(),
          readings
            .findOne({
              'device.id': meterId,
              observedAt: { $gt: max },
              meterIndex: { $ne: null },
            })
            .sort({ observedAt: 1 })
            .select(NEIGHBOUR_FIELDS)
            .lean<Neighbour>()
            .exec(),
        ]);
        const stored = new Set(within.map((r) => r._id));
        // The meter's readings over the span, stored and new, in time order.
        const chain: {
          doc: Neighbour;
          fresh: WaterConsumptionObservedDoc | null;
        }[] = within.map((doc) => ({ doc, fresh: null }));
        const seen = new Set<string>();
        for (const i of indexes) {
          const record = records[i] as ValidatedObservation;
          if (stored.has(record.id) || seen.has(record.id)) continue;
          seen.add(record.id);
          const doc = toWaterConsumptionObserved(record, role);
          chain.push({ doc, fresh: doc });
          inserts.push(doc);
          insertIndex.push(i);
        }
        if (after) chain.push({ doc: after, fresh: null });
        chain.sort(
          (a, b) => a.doc.observedAt.getTime() - b.doc.observedAt.getTime(),
        );
        // For each new reading, the stored one that follows it, if any.
        const nextStored: (Neighbour | null)[] = [];
        let following: Neighbour | null = null;
        for (let k = chain.length - 1; k >= 0; k -= 1) {
          nextStored[k] = following;
          const entry = chain[k];
          if (entry && entry.fresh === null) following = entry.doc;
        }
        let previous: Neighbour | null = before;
        chain.forEach(({ doc, fresh }, k) => {
          if (doc.meterIndex === null || doc.meterIndex === undefined) return;
          if (fresh) {
            const next = nextStored[k];
            // Inside the interval of a reading stored after it: that reading
            // already holds this volume, and is not changed.
            const inside =
              next?.intervalStart != null &&
              next.intervalStart.getTime() < fresh.observedAt.getTime();
            fresh.consumption = inside
              ? null
              : previous
                ? volumeBetween(previous.meterIndex, doc.meterIndex)
                : null;
            fresh.intervalStart = inside
              ? null
              : (previous?.observedAt ?? null);
          }
          previous = doc;
        });
        for (const { fresh } of chain) {
          const held = newest.get(meterId);
          if (fresh && (!held || fresh.observedAt > held.observedAt))
            newest.set(meterId, fresh);
        }
      }

      if (inserts.length > 0) {
        const results = await storeReadings(
          { readings: readings.collection, keys: models.ReadingKey.collection },
          inserts,
        );
        insertIndex.forEach((recordIndex, k) => {
          outcomes[recordIndex] = results[k] ?? 'duplicate';
        });
      }
      if (newest.size > 0)
        await meterWrites.bulkWrite(
          [...newest].map(([meterId, doc]) => ({
            updateOne: {
              filter: {
                _id: meterId,
                $or: [
                  { latestReading: null },
                  { 'latestReading.observedAt': { $lt: doc.observedAt } },
                ],
              },
              update: { $set: { latestReading: doc } },
            },
          })),
          { ordered: false },
        );
      // Their rollups: the windows of the batch's readings (docs/trends.md).
      await markDirtyWindows(
        readings.db,
        readings.collection.collectionName,
        records.map((r) => r.observedAt),
      );
      return outcomes;
    },
  };
}
