/**
 * Environment ingests FIWARE NoiseLevelObserved: one observation of a
 * registered station (`refDevice` or `refPointOfInterest`), over its period
 * (`dateObservedFrom`/`dateObservedTo`, or `dateObserved`). Levels in dB(A)
 * (UN/CEFACT `2N`); LAmax below LAeq is flagged IMPLAUSIBLE_VALUE.
 */
import type { ObservationHandler } from '../../../../lib/ingest/createIngestPipeline.js';
import { deviceCounter } from '../../../../lib/ingest/ingestStats.js';
import type { ObservationSpec } from '../../../../lib/ingest/observationSpec.js';
import { storeObservations } from '../../../../lib/ingest/storeObservations.js';
import type { Logger } from '../../../../lib/runtime/logger.js';
import { prepareReadingStorage } from '../../../../lib/subgraph-kit/readingSeries.js';
import { markDirtyWindows } from '../../../../lib/subgraph-kit/rollupPending.js';
import type { ValidatedObservation } from '../../../../lib/ingest/validateObservation.js';
import type {
  EnvironmentModels,
  NoiseLevelObservedDoc,
} from '../models/index.js';

/** What environment accepts as NoiseLevelObserved. */
export const noiseLevelObservedSpec: ObservationSpec = {
  type: 'NoiseLevelObserved',
  deviceType: 'AirQualityStation',
  deviceAttributes: ['refDevice', 'refPointOfInterest'],
  timeAttributes: ['dateObserved', 'dateObservedTo'],
  quantities: [
    {
      field: 'laeq',
      attributes: ['LAeq'],
      dimension: 'soundLevel',
      defaultUnit: '2N',
      possible: [0, 140],
      plausible: [25, 110],
    },
    {
      field: 'lamax',
      attributes: ['LAmax'],
      dimension: 'soundLevel',
      defaultUnit: '2N',
      possible: [0, 160],
      plausible: [25, 130],
    },
  ],
  staleAfterMs: 2 * 3_600_000,
  // Stations report hourly (their noise level beside their air quality).
  reportingIntervalMs: 3_600_000,
  crossCheck: (values) => {
    const laeq = values['laeq'];
    const lamax = values['lamax'];
    return laeq !== null &&
      laeq !== undefined &&
      lamax !== null &&
      lamax !== undefined &&
      lamax < laeq
      ? ['IMPLAUSIBLE_VALUE']
      : [];
  },
};

const round1 = (value: number | null | undefined) =>
  value === null || value === undefined ? null : Math.round(value * 10) / 10;

/** The stored reading of a validated observation. */
export function toNoiseLevelObserved(
  record: ValidatedObservation,
): NoiseLevelObservedDoc {
  return {
    _id: record.id,
    device: { id: record.deviceId, district: record.district },
    observedAt: record.observedAt,
    laeq: round1(record.values['laeq']),
    lamax: round1(record.values['lamax']),
    source: record.source,
    receivedAt: record.receivedAt,
    quality: record.quality,
  };
}

/** The NoiseLevelObserved handler over environment's models. */
export function noiseLevelObservedHandler(
  models: EnvironmentModels,
  logger: Logger,
): ObservationHandler {
  return {
    spec: noiseLevelObservedSpec,
    countDevices: deviceCounter(
      models.AirQualityStation.collection,
      'latestNoiseLevel.observedAt',
    ),
    async findDevices(ids) {
      const stations = await models.AirQualityStation.find({
        _id: { $in: ids },
      })
        .select({ _id: 1, district: 1, location: 1 })
        .lean()
        .exec();
      return new Map(
        stations.map((s) => [
          s._id,
          { id: s._id, district: s.district, location: s.location },
        ]),
      );
    },
    store(records) {
      return storeObservations(
        {
          readings: models.NoiseLevelObserved.collection,
          keys: models.ReadingKey.collection,
          ready: () =>
            prepareReadingStorage({
              readings: models.NoiseLevelObserved,
              keys: models.ReadingKey,
              logger,
            }),
          devices: models.AirQualityStation.collection,
          stateField: 'latestNoiseLevel',
          toDoc: toNoiseLevelObserved,
          // Their rollups (docs/trends.md): marked once the readings are
          // stored (created, or already there: a retry repairs a mark that
          // failed), beside the stations' current state.
          onStored: async ({ created, duplicates }) => {
            await markDirtyWindows(
              models.NoiseLevelObserved.db,
              models.NoiseLevelObserved.collection.collectionName,
              [...created, ...duplicates].map((r) => r.observedAt),
            );
          },
        },
        records,
      );
    },
  };
}
