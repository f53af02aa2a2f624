/** Mobility model: one flow observation of a traffic sensor (FIWARE TrafficFlowObserved). */
import { Schema } from 'mongoose';
import type {
  RecordQuality,
  RecordSource,
} from '../../../../lib/ingest/quality.js';
import {
  READING_INDEXES,
  readingDeviceDefinition,
  readingSeriesSchemaOptions,
  type ReadingDevice,
} from '../../../../lib/subgraph-kit/readingSeries.js';
import {
  recordQualityDefinition,
  recordSourceDefinition,
} from '../../../../lib/subgraph-kit/provenance.js';

/**
 * A flow reading as stored, a measurement of the time-series collection
 * `traffic_flow_readings` (lib/subgraph-kit/readingSeries.ts); units are
 * fixed by the model (vehicles/h, km/h). A quantity the observation did not
 * carry is null.
 */
export interface TrafficFlowReadingDoc {
  /** `<sensorId>@<ISO time>`: one reading per sensor and interval. */
  _id: string;
  /** The series: `{ id: <sensorId>, district }` (the district denormalized from the sensor). */
  device: ReadingDevice;
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

const schemas = new Map<number, Schema<TrafficFlowReadingDoc>>();

/**
 * Mongoose schema of {@link TrafficFlowReadingDoc}: granularity `minutes`
 * (sensors report every 5 to 15 minutes), raw readings kept
 * `rawRetentionDays`. One schema per retention, so models compiled twice on
 * a connection (a test and its server) are the same model.
 */
export function createTrafficFlowReadingSchema(
  rawRetentionDays: number,
): Schema<TrafficFlowReadingDoc> {
  const known = schemas.get(rawRetentionDays);
  if (known) return known;
  const schema = new Schema<TrafficFlowReadingDoc>(
    {
      _id: { type: String, required: true },
      device: readingDeviceDefinition,
      observedAt: { type: Date, required: true },
      intensity: { type: Number, default: null, min: 0, max: 20_000 },
      averageSpeed: { type: Number, default: null, min: 0, max: 200 },
      occupancy: { type: Number, default: null, min: 0, max: 1 },
      congested: { type: Boolean, default: null },
      source: recordSourceDefinition,
      receivedAt: { type: Date, required: true },
      quality: recordQualityDefinition,
    },
    readingSeriesSchemaOptions({
      collection: 'traffic_flow_readings',
      granularity: 'minutes',
      rawRetentionDays,
    }),
  );
  // A sensor's readings (pages, signal plans) and a district's sliding
  // windows (District.congestionWindow, live analysis).
  for (const index of READING_INDEXES) schema.index(index);
  // Every sensor's readings over a range, newest first (Query.trafficReadings).
  schema.index({ observedAt: -1 });
  schemas.set(rawRetentionDays, schema);
  return schema;
}
