/** Mobility model: a road traffic counting sensor. */
import { Schema } from 'mongoose';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';

/** A traffic sensor as stored. */
export interface TrafficSensorDoc {
  /** Stable id, e.g. `mob-ts-13201-01`. */
  _id: string;
  name: string;
  roadName: string;
  laneCount: number;
  location: { lat: number; lon: number };
  /** INSEE code of its district. */
  district: string;
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
  },
  { collection: 'traffic_sensors', versionKey: false },
);
