/** Environment model: one hourly noise observation (FIWARE NoiseLevelObserved). */
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

/** A noise reading as stored; levels in dB(A), null when the observation lacked one. */
export interface NoiseLevelObservedDoc {
  /** `<stationId>@<ISO time>`. */
  _id: string;
  /** The series: `{ id: <stationId>, district }`. */
  device: ReadingDevice;
  observedAt: Date;
  /** Equivalent continuous A-weighted level over the hour. */
  laeq: number | null;
  /** Highest A-weighted level in the hour. */
  lamax: number | null;
  source: RecordSource;
  receivedAt: Date;
  quality: RecordQuality;
}

const schemas = new Map<number, Schema<NoiseLevelObservedDoc>>();

/**
 * Mongoose schema of {@link NoiseLevelObservedDoc}, a measurement of the
 * time-series collection `noise_level_observed`: granularity `minutes`
 * (hourly levels, as air quality, from the same stations), raw readings kept
 * `rawRetentionDays`. One schema per retention.
 */
export function createNoiseLevelObservedSchema(
  rawRetentionDays: number,
): Schema<NoiseLevelObservedDoc> {
  const known = schemas.get(rawRetentionDays);
  if (known) return known;
  const schema = new Schema<NoiseLevelObservedDoc>(
    {
      _id: { type: String, required: true },
      device: readingDeviceDefinition,
      observedAt: { type: Date, required: true },
      laeq: { type: Number, default: null, min: 0, max: 140 },
      lamax: { type: Number, default: null, min: 0, max: 160 },
      source: recordSourceDefinition,
      receivedAt: { type: Date, required: true },
      quality: recordQualityDefinition,
    },
    readingSeriesSchemaOptions({
      collection: 'noise_level_observed',
      granularity: 'minutes',
      rawRetentionDays,
    }),
  );
  schema.pre('validate', function () {
    if (this.lamax !== null && this.laeq !== null && this.lamax < this.laeq)
      this.invalidate('lamax', 'LAmax cannot be below LAeq');
  });
  for (const index of READING_INDEXES) schema.index(index);
  schema.index({ observedAt: -1 });
  schemas.set(rawRetentionDays, schema);
  return schema;
}
