/** Environment model: one hourly noise observation (FIWARE NoiseLevelObserved). */
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

/** A noise reading as stored; levels in dB(A), null when the observation lacked one. */
export interface NoiseLevelObservedDoc {
  /** `<stationId>@<ISO time>`. */
  _id: string;
  stationId: string;
  district: string;
  observedAt: Date;
  /** Equivalent continuous A-weighted level over the hour. */
  laeq: number | null;
  /** Highest A-weighted level in the hour. */
  lamax: number | null;
  source: RecordSource;
  receivedAt: Date;
  quality: RecordQuality;
}

/** Mongoose schema of {@link NoiseLevelObservedDoc}. */
export const noiseLevelObservedSchema = new Schema<NoiseLevelObservedDoc>(
  {
    _id: { type: String, required: true },
    stationId: { type: String, required: true },
    district: districtFieldDefinition,
    observedAt: { type: Date, required: true },
    laeq: { type: Number, default: null, min: 0, max: 140 },
    lamax: { type: Number, default: null, min: 0, max: 160 },
    source: recordSourceDefinition,
    receivedAt: { type: Date, required: true },
    quality: recordQualityDefinition,
  },
  { collection: 'noise_level_observed', versionKey: false },
);
noiseLevelObservedSchema.pre('validate', function () {
  if (this.lamax !== null && this.laeq !== null && this.lamax < this.laeq)
    this.invalidate('lamax', 'LAmax cannot be below LAeq');
});
noiseLevelObservedSchema.index({ stationId: 1, observedAt: -1 });
noiseLevelObservedSchema.index({ observedAt: -1 });
