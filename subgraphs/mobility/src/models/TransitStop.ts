/** Mobility model: a transit stop or station (FIWARE GtfsStop). */
import { Schema } from 'mongoose';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';

/** A transit stop as stored. */
export interface TransitStopDoc {
  _id: string;
  name: string;
  location: { lat: number; lon: number };
  district: string;
  /** Lines serving the stop. */
  lineIds: string[];
}

/** Mongoose schema of {@link TransitStopDoc}. */
export const transitStopSchema = new Schema<TransitStopDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    location: geoPointDefinition,
    district: districtFieldDefinition,
    lineIds: { type: [String], default: [] },
  },
  { collection: 'transit_stops', versionKey: false },
);
