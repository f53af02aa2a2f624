/**
 * Environment ingests FIWARE WaterConsumptionObserved: one reading of a
 * registered water meter (`refDevice`). The model's `waterConsumption` is the
 * meter's cumulative index ("total volume passed through the meter", m3 by
 * the model's schema; `LTR` converted), so the volume of an interval is the
 * difference with the meter's previous reading: stored as `consumption` with
 * `intervalStart` (the previous reading's time). A reading that arrives out
 * of order gets its volume from the reading before it, and the reading after
 * it is corrected. Per meter and batch: three indexed reads (the reading
 * before, those within, the one after the batch's span), one bulk write.
 * The model's weekly statistics (minFlow, maxFlow) and alarms are not kept.
 */
import type { ObservationHandler } from '../../../../lib/ingest/createIngestPipeline.js';
import { deviceCounter } from '../../../../lib/ingest/ingestStats.js';
import type { ObservationSpec } from '../../../../lib/ingest/observationSpec.js';
import type { BulkWriteCollection } from '../../../../lib/ingest/storeObservations.js';
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
    meterId: record.deviceId,
    district: record.district,
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
): ObservationHandler {
  const readings = models.WaterConsumptionObserved;
  // The driver's collections (values are validated: no casting needed).
  const readingWrites: BulkWriteCollection = readings.collection;
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
      const byMeter = new Map<string, number[]>();
      records.forEach((record, i) => {
        const list = byMeter.get(record.deviceId) ?? [];
        list.push(i);
        byMeter.set(record.deviceId, list);
      });
      const inserts: WaterConsumptionObservedDoc[] = [];
      const insertIndex: number[] = [];
      const corrections: {
        _id: string;
        observedAt: Date;
        consumption: number | null;
        intervalStart: Date;
      }[] = [];
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
              meterId,
              observedAt: { $lt: min },
              meterIndex: { $ne: null },
            })
            .sort({ observedAt: -1 })
            .select(NEIGHBOUR_FIELDS)
            .lean<Neighbour>()
            .exec(),
          readings
            .find({ meterId, observedAt: { $gte: min, $lte: max } })
            .select(NEIGHBOUR_FIELDS)
            .lean<Neighbour[]>()
            .exec(),
          readings
            .findOne({
              meterId,
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
        let previous: Neighbour | null = before;
        let previousIsFresh = false;
        for (const { doc, fresh } of chain) {
          if (doc.meterIndex === null || doc.meterIndex === undefined) continue;
          const consumption = previous
            ? volumeBetween(previous.meterIndex, doc.meterIndex)
            : null;
          const intervalStart = previous?.observedAt ?? null;
          if (fresh) {
            fresh.consumption = consumption;
            fresh.intervalStart = intervalStart;
          } else if (previousIsFresh && intervalStart) {
            // A stored reading whose previous one just arrived (out of order).
            corrections.push({
              _id: doc._id,
              observedAt: doc.observedAt,
              consumption,
              intervalStart,
            });
          }
          previous = doc;
          previousIsFresh = fresh !== null;
        }
        for (const { fresh } of chain) {
          const held = newest.get(meterId);
          if (fresh && (!held || fresh.observedAt > held.observedAt))
            newest.set(meterId, fresh);
        }
      }

      if (inserts.length > 0 || corrections.length > 0) {
        const result = await readingWrites.bulkWrite(
          [
            ...inserts.map(({ _id, ...fields }) => ({
              updateOne: {
                filter: { _id },
                update: { $setOnInsert: fields },
                upsert: true,
              },
            })),
            ...corrections.map(({ _id, consumption, intervalStart }) => ({
              updateOne: {
                filter: { _id },
                update: { $set: { consumption, intervalStart } },
              },
            })),
          ],
          { ordered: false },
        );
        const upserted = new Set(
          Object.keys(result.upsertedIds ?? {}).map(Number),
        );
        insertIndex.forEach((recordIndex, k) => {
          if (upserted.has(k)) outcomes[recordIndex] = 'created';
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
      // Their rollups: the windows of the batch's readings and of the
      // corrected ones (docs/trends.md).
      await markDirtyWindows(readings.db, readings.collection.collectionName, [
        ...records.map((r) => r.observedAt),
        ...corrections.map((c) => c.observedAt),
      ]);
      return outcomes;
    },
  };
}
