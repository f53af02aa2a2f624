/** Mobility model: one flow observation of a traffic sensor (FIWARE TrafficFlowObserved). */
import { Schema } from 'mongoose';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';

/** A flow reading as stored; units are fixed by the model (vehicles/h, km/h). */
export interface TrafficFlowReadingDoc {
  /** `<sensorId>@<ISO time>`: one reading per sensor and interval. */
  _id: string;
  sensorId: string;
  /** Denormalized from the sensor for district queries. */
  district: string;
  observedAt: Date;
  /** Vehicles per hour. */
  intensity: number;
  /** km/h. */
  averageSpeed: number;
  /** 0 to 1. */
  occupancy: number;
  congested: boolean;
}

/** Mongoose schema of {@link TrafficFlowReadingDoc}. */
export const trafficFlowReadingSchema = new Schema<TrafficFlowReadingDoc>(
  {
    _id: { type: String, required: true },
    sensorId: { type: String, required: true },
    district: districtFieldDefinition,
    observedAt: { type: Date, required: true },
    intensity: { type: Number, required: true, min: 0, max: 20_000 },
    averageSpeed: { type: Number, required: true, min: 0, max: 200 },
    occupancy: { type: Number, required: true, min: 0, max: 1 },
    congested: { type: Boolean, required: true },
  },
  { collection: 'traffic_flow_readings', versionKey: false },
);
trafficFlowReadingSchema.index({ sensorId: 1, observedAt: -1 });
trafficFlowReadingSchema.index({ observedAt: -1 });
// Sliding windows of a district (District.congestionWindow, live analysis).
trafficFlowReadingSchema.index({ district: 1, observedAt: -1 });
