/** Environment model: the volume a water meter measured over one interval, usually an hour (FIWARE WaterConsumptionObserved). */
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
import { WATER_METER_ROLES } from './WaterMeter.js';

/** A water meter reading as stored. */
export interface WaterConsumptionObservedDoc {
  /** `<meterId>@<ISO time>`. */
  _id: string;
  /** The series: `{ id: <meterId>, district }` (the district denormalized from the meter for district balances). */
  device: ReadingDevice;
  /** Denormalized from the meter: inflow and consumption are summed apart. */
  role: (typeof WATER_METER_ROLES)[number];
  /** End of the interval. */
  observedAt: Date;
  /**
   * Start of the interval: the meter's previous reading (null for the first
   * reading known of a meter, whose volume is unknown).
   */
  intervalStart: Date | null;
  /**
   * m3 that went through the meter over the interval: the difference of the
   * cumulative index with the previous reading's; null when there is no
   * previous index, or the index went back (a replaced meter).
   */
  consumption: number | null;
  /**
   * The meter's cumulative index at `observedAt`, m3 (FIWARE
   * `waterConsumption`: "total volume passed through the meter").
   */
  meterIndex?: number | null;
  /** The lowest and highest flow the meter reported (FIWARE minFlow/maxFlow), m3/h. */
  minFlow?: number | null;
  maxFlow?: number | null;
  /** Where the reading came from. */
  source: RecordSource;
  /** When the city received it. */
  receivedAt: Date;
  quality: RecordQuality;
}

const schemas = new Map<number, Schema<WaterConsumptionObservedDoc>>();

/**
 * Mongoose schema of {@link WaterConsumptionObservedDoc}, a measurement of
 * the time-series collection `water_consumption_observed`: granularity
 * `hours` (meters report hourly: a meter's readings are bucketed up to 30
 * days, about 720 to a bucket; `minutes` would cut them into daily buckets of
 * 24), raw readings kept `rawRetentionDays`. One schema per retention.
 * Measurements are never updated (MongoDB 7.0 updates only the meta field):
 * a reading's volume is fixed when it is stored
 * (ingest/WaterConsumptionObserved.ts).
 */
export function createWaterConsumptionObservedSchema(
  rawRetentionDays: number,
): Schema<WaterConsumptionObservedDoc> {
  const known = schemas.get(rawRetentionDays);
  if (known) return known;
  const schema = new Schema<WaterConsumptionObservedDoc>(
    {
      _id: { type: String, required: true },
      device: readingDeviceDefinition,
      role: { type: String, enum: WATER_METER_ROLES, required: true },
      observedAt: { type: Date, required: true },
      intervalStart: { type: Date, default: null },
      consumption: { type: Number, default: null, min: 0, max: 1_000_000 },
      meterIndex: { type: Number, default: null, min: 0 },
      minFlow: { type: Number, default: null, min: 0 },
      maxFlow: { type: Number, default: null, min: 0 },
      source: recordSourceDefinition,
      receivedAt: { type: Date, required: true },
      quality: recordQualityDefinition,
    },
    readingSeriesSchemaOptions({
      collection: 'water_consumption_observed',
      granularity: 'hours',
      rawRetentionDays,
    }),
  );
  for (const index of READING_INDEXES) schema.index(index);
  schema.index({ observedAt: -1 });
  schemas.set(rawRetentionDays, schema);
  return schema;
}
