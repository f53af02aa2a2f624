/** Environment model: one hourly air-quality observation (FIWARE AirQualityObserved). */
import { Schema } from 'mongoose';
import type {
  RecordQuality,
  RecordSource,
} from '../../../../lib/ingest/quality.js';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';
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
  stationId: string;
  /** Denormalized from the station for district queries. */
  district: string;
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

/** Mongoose schema of {@link AirQualityObservedDoc}. */
export const airQualityObservedSchema = new Schema<AirQualityObservedDoc>(
  {
    _id: { type: String, required: true },
    stationId: { type: String, required: true },
    district: districtFieldDefinition,
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
  { collection: 'air_quality_observed', versionKey: false },
);
airQualityObservedSchema.pre('validate', function () {
  if (this.pm25 !== null && this.pm10 !== null && this.pm25 > this.pm10)
    this.invalidate('pm25', 'PM2.5 is part of PM10: pm25 cannot exceed pm10');
});
airQualityObservedSchema.index({ stationId: 1, observedAt: -1 });
airQualityObservedSchema.index({ observedAt: -1 });
