/**
 * Mobility ingests FIWARE TrafficFlowObserved: one flow observation of a
 * registered traffic sensor (`refDevice`), over its interval (`dateObserved`,
 * e.g. `2016-12-07T11:10:00/2016-12-07T11:15:00`). Ranges from the Smart Data
 * Model (occupancy 0 to 1) and the sensors' capacity (20,000 vehicles/h).
 */
import type { ObservationHandler } from '../../../../lib/ingest/createIngestPipeline.js';
import { deviceCounter } from '../../../../lib/ingest/ingestStats.js';
import type { ObservationSpec } from '../../../../lib/ingest/observationSpec.js';
import { coalesceWrites } from '../../../../lib/ingest/coalesceWrites.js';
import {
  createStateWriter,
  storeObservations,
} from '../../../../lib/ingest/storeObservations.js';
import { markDirtyWindows } from '../../../../lib/subgraph-kit/rollupPending.js';
import type { Logger } from '../../../../lib/runtime/logger.js';
import { prepareReadingStorage } from '../../../../lib/subgraph-kit/readingSeries.js';
import type { ValidatedObservation } from '../../../../lib/ingest/validateObservation.js';
import type {
  MobilityModels,
  TrafficFlowReadingDoc,
  TrafficSensorDoc,
} from '../models/index.js';

/** What mobility accepts as TrafficFlowObserved. */
export const trafficFlowObservedSpec: ObservationSpec = {
  type: 'TrafficFlowObserved',
  deviceType: 'TrafficSensor',
  deviceAttributes: ['refDevice'],
  timeAttributes: ['dateObserved', 'dateObservedTo'],
  quantities: [
    {
      field: 'intensity',
      attributes: ['intensity'],
      dimension: 'count',
      defaultUnit: 'H87',
      // The model counts vehicles over the interval; the graph answers per hour.
      perHour: true,
      possible: [0, 20_000],
      plausible: [0, 6_000],
    },
    {
      field: 'averageSpeed',
      attributes: ['averageVehicleSpeed', 'averageSpeed'],
      dimension: 'speed',
      defaultUnit: 'KMH',
      possible: [0, 200],
      plausible: [0, 130],
    },
    {
      field: 'occupancy',
      attributes: ['occupancy'],
      dimension: 'ratio',
      defaultUnit: 'C62',
      possible: [0, 1],
      plausible: [0, 1],
    },
  ],
  // Sensors report every 15 minutes: two missed reports make the state stale.
  staleAfterMs: 30 * 60_000,
  reportingIntervalMs: 15 * 60_000,
};

/** Whether a reading is congested (the seed's rule): occupancy over 0.6 or speed under 15 km/h. */
export function isCongested(
  occupancy: number | null,
  averageSpeed: number | null,
): boolean | null {
  if (occupancy === null && averageSpeed === null) return null;
  return (
    (occupancy !== null && occupancy > 0.6) ||
    (averageSpeed !== null && averageSpeed < 15)
  );
}

/** The stored reading of a validated observation. */
export function toTrafficFlowReading(
  record: ValidatedObservation,
): TrafficFlowReadingDoc {
  const value = (field: string) => record.values[field] ?? null;
  const intensity = value('intensity');
  const averageSpeed = value('averageSpeed');
  const occupancy = value('occupancy');
  return {
    _id: record.id,
    device: { id: record.deviceId, district: record.district },
    observedAt: record.observedAt,
    intensity: intensity === null ? null : Math.round(intensity),
    averageSpeed:
      averageSpeed === null ? null : Math.round(averageSpeed * 10) / 10,
    occupancy: occupancy === null ? null : Math.round(occupancy * 1000) / 1000,
    congested: isCongested(occupancy, averageSpeed),
    source: record.source,
    receivedAt: record.receivedAt,
    quality: record.quality,
  };
}

/** Everything `traffic_flow_readings` needs before its first write (lib/subgraph-kit/readingSeries.ts). */
export function prepareTrafficReadings(
  models: MobilityModels,
  logger: Logger,
): Promise<void> {
  return prepareReadingStorage({
    readings: models.TrafficFlowReading,
    keys: models.ReadingKey,
    logger,
  });
}

/** The TrafficFlowObserved handler over mobility's models. */
export function trafficFlowObservedHandler(
  models: MobilityModels,
  logger: Logger,
): ObservationHandler {
  // Made once: batches stored at the same time share one write of the
  // sensors' state and one of the rollup markers (lib/ingest/coalesceWrites.ts).
  const advanceState = createStateWriter<TrafficFlowReadingDoc>(
    models.TrafficSensor.collection,
  );
  const markWindows = coalesceWrites<Date>({
    write: (times) =>
      markDirtyWindows(
        models.TrafficFlowReading.db,
        models.TrafficFlowReading.collection.collectionName,
        times,
      ),
  });
  return {
    spec: trafficFlowObservedSpec,
    countDevices: deviceCounter(
      models.TrafficSensor.collection,
      'latest.observedAt',
    ),
    async findDevices(ids) {
      // Through the driver, as the writes: the ids are strings already, so
      // mongoose's casting of the filter and its lean pass add nothing at a
      // batch a few times a second. Only the fields validation reads.
      // The driver's types take `_id` for an ObjectId; the sensors' are strings.
      const filter: Record<string, unknown> = { _id: { $in: [...ids] } };
      const sensors = (await models.TrafficSensor.collection
        .find(filter, { projection: { _id: 1, district: 1, location: 1 } })
        .toArray()) as unknown as Pick<
        TrafficSensorDoc,
        '_id' | 'district' | 'location'
      >[];
      return new Map(
        sensors.map((s) => [
          s._id,
          { id: s._id, district: s.district, location: s.location },
        ]),
      );
    },
    store(records) {
      return storeObservations(
        {
          readings: models.TrafficFlowReading.collection,
          keys: models.ReadingKey.collection,
          ready: () => prepareTrafficReadings(models, logger),
          devices: models.TrafficSensor.collection,
          advanceState,
          toDoc: toTrafficFlowReading,
          // Their rollups (docs/trends.md): marked once the readings are
          // stored (created, or already there: a retry repairs a mark that
          // failed), beside the sensors' current state.
          onStored: ({ created, duplicates }) =>
            markWindows([...created, ...duplicates].map((r) => r.observedAt)),
        },
        records,
      );
    },
  };
}
