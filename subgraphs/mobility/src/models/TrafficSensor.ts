/** Mobility model: a road traffic counting sensor. */
import { Schema } from 'mongoose';
import type { TrafficFlowReadingDoc } from './TrafficFlowReading.js';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';
import {
  geoJsonPointOf,
  type GeoJsonPoint,
} from '../../../../lib/subgraph-kit/nearbyLoader.js';

/** A traffic sensor as stored. */
export interface TrafficSensorDoc {
  /** Stable id, e.g. `mob-ts-13201-01`. */
  _id: string;
  name: string;
  roadName: string;
  laneCount: number;
  location: { lat: number; lon: number };
  /**
   * `location` as a GeoJSON point, derived on validation (never set by
   * hand): what the 2dsphere index and the "nearby" geo queries read.
   */
  position?: GeoJsonPoint;
  /** INSEE code of its district. */
  district: string;
  /**
   * Current state: a copy of its newest reading, replaced on ingest only by
   * a newer one (lib/ingest/storeObservations.ts); null before any reading.
   */
  latest?: TrafficFlowReadingDoc | null;
}

/** Mongoose schema of {@link TrafficSensorDoc}. */
export const trafficSensorSchema = new Schema<TrafficSensorDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, trim: true, maxlength: 200 },
    roadName: { type: String, required: true, trim: true, maxlength: 200 },
    laneCount: { type: Number, required: true, min: 1, max: 12 },
    location: geoPointDefinition,
    district: districtFieldDefinition,
    position: {
      _id: false,
      type: { type: String, enum: ['Point'] },
      coordinates: [Number],
    },
    latest: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'traffic_sensors', versionKey: false },
);
trafficSensorSchema.pre('validate', function () {
  this.position = geoJsonPointOf(this.location);
});
trafficSensorSchema.index({ position: '2dsphere' });
