/** Mobility model: a transit stop or station (FIWARE GtfsStop). */
import { Schema } from 'mongoose';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';
import {
  geoJsonPointOf,
  type GeoJsonPoint,
} from '../../../../lib/subgraph-kit/nearbyLoader.js';

/** A transit stop as stored. */
export interface TransitStopDoc {
  _id: string;
  name: string;
  location: { lat: number; lon: number };
  /** `location` as a GeoJSON point, derived on validation: what the 2dsphere index reads. */
  position?: GeoJsonPoint;
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
    position: {
      _id: false,
      type: { type: String, enum: ['Point'] },
      coordinates: [Number],
    },
  },
  { collection: 'transit_stops', versionKey: false },
);
transitStopSchema.pre('validate', function () {
  this.position = geoJsonPointOf(this.location);
});
transitStopSchema.index({ position: '2dsphere' });
