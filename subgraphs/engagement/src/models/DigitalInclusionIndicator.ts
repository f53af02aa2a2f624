/** Engagement model: a district's digital-inclusion indicators for one month. */
import { Schema } from 'mongoose';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';

/** An indicator as stored; units are fixed by the model (%, counts). */
export interface DigitalInclusionIndicatorDoc {
  /** `eng-di-<INSEE>-<YYYY-MM>`: one per district and month. */
  _id: string;
  district: string;
  /** `YYYY-MM`. */
  period: string;
  /** First instant of the month (UTC). */
  observedAt: Date;
  /** % of premises that can get FTTH. */
  broadbandCoverage: number;
  /** % of residents aged 15+ without home internet. */
  residentsWithoutInternet: number;
  digitalHelpSessions: number;
  digitalHelpAttendees: number;
}

/** Mongoose schema of {@link DigitalInclusionIndicatorDoc}. */
export const digitalInclusionIndicatorSchema =
  new Schema<DigitalInclusionIndicatorDoc>(
    {
      _id: { type: String, required: true },
      district: districtFieldDefinition,
      period: {
        type: String,
        required: true,
        match: /^\d{4}-(0[1-9]|1[0-2])$/,
      },
      observedAt: { type: Date, required: true },
      broadbandCoverage: { type: Number, required: true, min: 0, max: 100 },
      residentsWithoutInternet: {
        type: Number,
        required: true,
        min: 0,
        max: 100,
      },
      digitalHelpSessions: { type: Number, required: true, min: 0 },
      digitalHelpAttendees: { type: Number, required: true, min: 0 },
    },
    { collection: 'digital_inclusion_indicators', versionKey: false },
  );
digitalInclusionIndicatorSchema.index(
  { district: 1, period: 1 },
  { unique: true },
);
digitalInclusionIndicatorSchema.index({ district: 1, observedAt: -1 });
digitalInclusionIndicatorSchema.index({ observedAt: -1 });
