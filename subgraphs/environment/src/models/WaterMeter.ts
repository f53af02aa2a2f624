/** Environment model: a meter of the water network. */
import { Schema } from 'mongoose';
import type { WaterConsumptionObservedDoc } from './WaterConsumptionObserved.js';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';

/** What a meter measures: the district's inflow, or a sub-area's consumption. */
export const WATER_METER_ROLES = ['INFLOW', 'CONSUMPTION'] as const;

/** A water meter as stored. */
export interface WaterMeterDoc {
  /** Stable id, `env-wm-<INSEE>-<1..3>`. */
  _id: string;
  name: string;
  role: (typeof WATER_METER_ROLES)[number];
  /** Nominal diameter, mm. */
  diameterMm: number;
  location: { lat: number; lon: number };
  district: string;
  installedAt: Date;
  /**
   * Current state: a copy of its newest reading, replaced on ingest only by a
   * newer one (ingest/WaterConsumptionObserved.ts).
   */
  latestReading?: WaterConsumptionObservedDoc | null;
}

/** Mongoose schema of {@link WaterMeterDoc}. */
export const waterMeterSchema = new Schema<WaterMeterDoc>(
  {
    _id: { type: String, required: true, match: /^env-wm-132\d\d-\d+$/ },
    name: { type: String, required: true, trim: true, maxlength: 200 },
    role: { type: String, enum: WATER_METER_ROLES, required: true },
    diameterMm: { type: Number, required: true, min: 15, max: 2000 },
    location: geoPointDefinition,
    district: districtFieldDefinition,
    installedAt: { type: Date, required: true },
    latestReading: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'water_meters', versionKey: false },
);
