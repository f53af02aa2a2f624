/** Environment model: one hourly air-quality observation (FIWARE AirQualityObserved). */
import { Schema } from 'mongoose';
import type {
  RecordQuality,
  RecordSource,
} from '../../../../lib/ingest/quality.js';
import {
  READING_INDEXES,
  readingDeviceDefinition,
  readingSeriesSchemaOptions,
  type ReadingDevice,
} from '../../../../lib/subgraph-kit/readingSeries.js';
import {
  recordQualityDefinition,
  recordSourceDefinition,
} from '../../../../lib/subgraph-kit/provenance.js';

/**
 * An air-quality reading as stored; every concentration is in µg/m3, null
 * when the observation did not carry that pollutant.
 */
export interface AirQualityObservedDoc {
  /** `<stationId>@<ISO time>`: one reading per station and hour. */
  _id: string;
  /** The series: `{ id: <stationId>, district }` (the district denormalized from the station). */
  device: ReadingDevice;
  /** End of the hourly averaging period. */
  observedAt: Date;
  no2: number | null;
  pm10: number | null;
  pm25: number | null;
  o3: number | null;
  /** Sulphur dioxide, carbon monoxide, nitrogen monoxide and oxides (absent from seed readings). */
  so2?: number | null;
  co?: number | null;
  no?: number | null;
  nox?: number | null;
  /** Where the reading came from. */
  source: RecordSource;
  /** When the city received it. */
  receivedAt: Date;
  quality: RecordQuality;
}

const concentration = { type: Number, default: null, min: 0, max: 2000 };

const schemas = new Map<number, Schema<AirQualityObservedDoc>>();

/**
 * Mongoose schema of {@link AirQualityObservedDoc}, a measurement of the
 * time-series collection `air_quality_observed`
 * (lib/subgraph-kit/readingSeries.ts): granularity `minutes` (stations
 * report hourly averages, but a station's day of readings fits the one-day
 * bucket `minutes` gives; `hours` would bucket a month together and widen
 * what a day's query reads), raw readings kept `rawRetentionDays`. One
 * schema per retention.
 */
export function createAirQualityObservedSchema(
  rawRetentionDays: number,
): Schema<AirQualityObservedDoc> {
  const known = schemas.get(rawRetentionDays);
  if (known) return known;
  const schema = new Schema<AirQualityObservedDoc>(
    {
      _id: { type: String, required: true },
      device: readingDeviceDefinition,
      observedAt: { type: Date, required: true },
      no2: concentration,
      pm10: concentration,
      pm25: concentration,
      o3: concentration,
      so2: concentration,
      co: { type: Number, default: null, min: 0, max: 100_000 },
      no: concentration,
      nox: concentration,
      source: recordSourceDefinition,
      receivedAt: { type: Date, required: true },
      quality: recordQualityDefinition,
    },
    readingSeriesSchemaOptions({
      collection: 'air_quality_observed',
      granularity: 'minutes',
      rawRetentionDays,
    }),
  );
  schema.pre('validate', function () {
    if (this.pm25 !== null && this.pm10 !== null && this.pm25 > this.pm10)
      this.invalidate('pm25', 'PM2.5 is part of PM10: pm25 cannot exceed pm10');
  });
  for (const index of READING_INDEXES) schema.index(index);
  // Every station's readings over a range (rankings, Query.airQualityReadings).
  schema.index({ observedAt: -1 });
  schemas.set(rawRetentionDays, schema);
  return schema;
}
