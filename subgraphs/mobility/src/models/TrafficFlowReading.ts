/** Mobility model: one flow observation of a traffic sensor (FIWARE TrafficFlowObserved). */
import { Schema } from 'mongoose';
import type {
  RecordQuality,
  RecordSource,
} from '../../../../lib/ingest/quality.js';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';
import {
  recordQualityDefinition,
  recordSourceDefinition,
} from '../../../../lib/subgraph-kit/provenance.js';

/**
 * A flow reading as stored; units are fixed by the model (vehicles/h, km/h).
 * A quantity the observation did not carry is null.
 */
export interface TrafficFlowReadingDoc {
  /** `<sensorId>@<ISO time>`: one reading per sensor and interval. */
  _id: string;
  sensorId: string;
  /** Denormalized from the sensor for district queries. */
  district: string;
  /** End of the observation interval. */
  observedAt: Date;
  /** Vehicles per hour. */
  intensity: number | null;
  /** km/h. */
  averageSpeed: number | null;
  /** 0 to 1. */
  occupancy: number | null;
  /** Null when neither occupancy nor speed is known. */
  congested: boolean | null;
  /** Where the reading came from. */
  source: RecordSource;
  /** When the city received it. */
  receivedAt: Date;
  quality: RecordQuality;
}

/** Mongoose schema of {@link TrafficFlowReadingDoc}. */
export const trafficFlowReadingSchema = new Schema<TrafficFlowReadingDoc>(
  {
    _id: { type: String, required: true },
    sensorId: { type: String, required: true },
    district: districtFieldDefinition,
    observedAt: { type: Date, required: true },
    intensity: { type: Number, default: null, min: 0, max: 20_000 },
    averageSpeed: { type: Number, default: null, min: 0, max: 200 },
    occupancy: { type: Number, default: null, min: 0, max: 1 },
    congested: { type: Boolean, default: null },
    source: recordSourceDefinition,
    receivedAt: { type: Date, required: true },
    quality: recordQualityDefinition,
  },
  { collection: 'traffic_flow_readings', versionKey: false },
);
trafficFlowReadingSchema.index({ sensorId: 1, observedAt: -1 });
trafficFlowReadingSchema.index({ observedAt: -1 });
// Sliding windows of a district (District.congestionWindow, live analysis).
trafficFlowReadingSchema.index({ district: 1, observedAt: -1 });
