/** Environment model: the volume a water meter measured over one interval, usually an hour (FIWARE WaterConsumptionObserved). */
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
import { WATER_METER_ROLES } from './WaterMeter.js';

/** A water meter reading as stored. */
export interface WaterConsumptionObservedDoc {
  /** `<meterId>@<ISO time>`. */
  _id: string;
  meterId: string;
  /** Denormalized from the meter for district balances. */
  district: string;
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

/** Mongoose schema of {@link WaterConsumptionObservedDoc}. */
export const waterConsumptionObservedSchema =
  new Schema<WaterConsumptionObservedDoc>(
    {
      _id: { type: String, required: true },
      meterId: { type: String, required: true },
      district: districtFieldDefinition,
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
    { collection: 'water_consumption_observed', versionKey: false },
  );
waterConsumptionObservedSchema.index({ meterId: 1, observedAt: -1 });
waterConsumptionObservedSchema.index({ district: 1, observedAt: -1 });
waterConsumptionObservedSchema.index({ observedAt: -1 });
