/** Environment model: one hourly air-quality observation (FIWARE AirQualityObserved). */
import { Schema } from 'mongoose';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';

/** An air-quality reading as stored; every concentration is in µg/m3. */
export interface AirQualityObservedDoc {
  /** `<stationId>@<ISO time>`: one reading per station and hour. */
  _id: string;
  stationId: string;
  /** Denormalized from the station for district queries. */
  district: string;
  /** End of the hourly averaging period. */
  observedAt: Date;
  no2: number;
  pm10: number;
  pm25: number;
  o3: number;
}

const concentration = { type: Number, required: true, min: 0, max: 2000 };

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
  },
  { collection: 'air_quality_observed', versionKey: false },
);
airQualityObservedSchema.pre('validate', function () {
  if (this.pm25 > this.pm10)
    this.invalidate('pm25', 'PM2.5 is part of PM10: pm25 cannot exceed pm10');
});
airQualityObservedSchema.index({ stationId: 1, observedAt: -1 });
airQualityObservedSchema.index({ observedAt: -1 });
