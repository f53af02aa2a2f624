/** Environment model: one hourly noise observation (FIWARE NoiseLevelObserved). */
import { Schema } from 'mongoose';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';

/** A noise reading as stored; levels in dB(A). */
export interface NoiseLevelObservedDoc {
  /** `<stationId>@<ISO time>`. */
  _id: string;
  stationId: string;
  district: string;
  observedAt: Date;
  /** Equivalent continuous A-weighted level over the hour. */
  laeq: number;
  /** Highest A-weighted level in the hour. */
  lamax: number;
}

/** Mongoose schema of {@link NoiseLevelObservedDoc}. */
export const noiseLevelObservedSchema = new Schema<NoiseLevelObservedDoc>(
  {
    _id: { type: String, required: true },
    stationId: { type: String, required: true },
    district: districtFieldDefinition,
    observedAt: { type: Date, required: true },
    laeq: { type: Number, required: true, min: 0, max: 140 },
    lamax: { type: Number, required: true, min: 0, max: 160 },
  },
  { collection: 'noise_level_observed', versionKey: false },
);
noiseLevelObservedSchema.pre('validate', function () {
  if (this.lamax < this.laeq)
    this.invalidate('lamax', 'LAmax cannot be below LAeq');
});
noiseLevelObservedSchema.index({ stationId: 1, observedAt: -1 });
noiseLevelObservedSchema.index({ observedAt: -1 });
