/**
 * Environment ingests FIWARE AirQualityObserved: one observation of a
 * registered air-quality station (`refDevice`, or `refPointOfInterest` as
 * the Smart Data Models example names its station). Every pollutant is
 * optional (the model's own example carries CO, NO, NOx and SO2 beside NO2):
 * those absent are null. Concentrations are stored in µg/m3; ppm/ppb are
 * converted through each gas's molar mass (lib/ingest/unitCodes.ts).
 * Plausible ranges: EU alert thresholds with margin (NO2 400, O3 360 µg/m3).
 */
import type { ObservationHandler } from '../../../../lib/ingest/createIngestPipeline.js';
import { deviceCounter } from '../../../../lib/ingest/ingestStats.js';
import type {
  ObservationSpec,
  QuantitySpec,
} from '../../../../lib/ingest/observationSpec.js';
import { storeObservations } from '../../../../lib/ingest/storeObservations.js';
import type { Logger } from '../../../../lib/runtime/logger.js';
import { prepareReadingStorage } from '../../../../lib/subgraph-kit/readingSeries.js';
import { markDirtyWindows } from '../../../../lib/subgraph-kit/rollupPending.js';
import type { ValidatedObservation } from '../../../../lib/ingest/validateObservation.js';
import type {
  AirQualityObservedDoc,
  EnvironmentModels,
} from '../models/index.js';

const gas = (
  field: string,
  attributes: readonly string[],
  molarMass: number,
  plausibleMax: number,
  possibleMax = 2000,
): QuantitySpec => ({
  field,
  attributes,
  dimension: 'concentration',
  defaultUnit: 'GQ',
  molarMass,
  possible: [0, possibleMax],
  plausible: [0, plausibleMax],
});

const particles = (
  field: string,
  attributes: readonly string[],
  plausibleMax: number,
): QuantitySpec => ({
  field,
  attributes,
  dimension: 'concentration',
  defaultUnit: 'GQ',
  possible: [0, 2000],
  plausible: [0, plausibleMax],
});

/** What environment accepts as AirQualityObserved. */
export const airQualityObservedSpec: ObservationSpec = {
  type: 'AirQualityObserved',
  deviceType: 'AirQualityStation',
  deviceAttributes: ['refDevice', 'refPointOfInterest'],
  timeAttributes: ['dateObserved'],
  quantities: [
    gas('no2', ['no2'], 46.0055, 400),
    particles('pm10', ['pm10'], 300),
    particles('pm25', ['pm25', 'pm2.5', 'pm2_5'], 200),
    gas('o3', ['o3'], 47.997, 360),
    gas('so2', ['so2'], 64.066, 500),
    gas('co', ['co'], 28.01, 30_000, 100_000),
    gas('no', ['no'], 30.006, 1000),
    gas('nox', ['nox'], 46.0055, 1500),
  ],
  // Stations report hourly: two missed hours make the state stale.
  staleAfterMs: 2 * 3_600_000,
  reportingIntervalMs: 3_600_000,
  crossCheck: (values) =>
    values['pm25'] !== null &&
    values['pm10'] !== null &&
    values['pm25'] !== undefined &&
    values['pm10'] !== undefined &&
    values['pm25'] > values['pm10']
      ? ['IMPLAUSIBLE_VALUE']
      : [],
};

const round1 = (value: number | null | undefined) =>
  value === null || value === undefined ? null : Math.round(value * 10) / 10;

/** The stored reading of a validated observation. */
export function toAirQualityObserved(
  record: ValidatedObservation,
): AirQualityObservedDoc {
  const v = record.values;
  return {
    _id: record.id,
    device: { id: record.deviceId, district: record.district },
    observedAt: record.observedAt,
    no2: round1(v['no2']),
    pm10: round1(v['pm10']),
    pm25: round1(v['pm25']),
    o3: round1(v['o3']),
    so2: round1(v['so2']),
    co: round1(v['co']),
    no: round1(v['no']),
    nox: round1(v['nox']),
    source: record.source,
    receivedAt: record.receivedAt,
    quality: record.quality,
  };
}

/** The AirQualityObserved handler over environment's models. */
export function airQualityObservedHandler(
  models: EnvironmentModels,
  logger: Logger,
): ObservationHandler {
  return {
    spec: airQualityObservedSpec,
    countDevices: deviceCounter(
      models.AirQualityStation.collection,
      'latestAirQuality.observedAt',
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
          readings: models.AirQualityObserved.collection,
          keys: models.ReadingKey.collection,
          ready: () =>
            prepareReadingStorage({
              readings: models.AirQualityObserved,
              keys: models.ReadingKey,
              logger,
            }),
          devices: models.AirQualityStation.collection,
          stateField: 'latestAirQuality',
          toDoc: toAirQualityObserved,
          // Their rollups (docs/trends.md): marked once the readings are
          // stored (created, or already there: a retry repairs a mark that
          // failed), beside the stations' current state.
          onStored: async ({ created, duplicates }) => {
            await markDirtyWindows(
              models.AirQualityObserved.db,
              models.AirQualityObserved.collection.collectionName,
              [...created, ...duplicates].map((r) => r.observedAt),
            );
          },
        },
        records,
      );
    },
  };
}
