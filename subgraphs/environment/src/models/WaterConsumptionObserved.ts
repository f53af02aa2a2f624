/** Environment model: the volume a water meter measured over one hour (FIWARE WaterConsumptionObserved). */
import { Schema } from 'mongoose';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';
import { WATER_METER_ROLES } from './WaterMeter.js';

/** A water meter reading as stored. */
export interface WaterConsumptionObservedDoc {
  /** `<meterId>@<ISO time>`. */
  _id: string;
  meterId: string;
  /** Denormalized from the meter for district balances. */
  district: string;
  /** Denormalized from the meter: inflow and consumption are summed apart. */
  role: (typeof WATER_METER_ROLES)[number];
  /** End of the hour. */
  observedAt: Date;
  /** m3 over the hour. */
  consumption: number;
}

/** Mongoose schema of {@link WaterConsumptionObservedDoc}. */
export const waterConsumptionObservedSchema =
  new Schema<WaterConsumptionObservedDoc>(
    {
      _id: { type: String, required: true },
      meterId: { type: String, required: true },
      district: districtFieldDefinition,
      role: { type: String, enum: WATER_METER_ROLES, required: true },
      observedAt: { type: Date, required: true },
      consumption: { type: Number, required: true, min: 0, max: 100_000 },
    },
    { collection: 'water_consumption_observed', versionKey: false },
  );
waterConsumptionObservedSchema.index({ meterId: 1, observedAt: -1 });
waterConsumptionObservedSchema.index({ district: 1, observedAt: -1 });
waterConsumptionObservedSchema.index({ observedAt: -1 });
