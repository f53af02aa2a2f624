/** Mobility model: a levélo bike-share station (FIWARE BikeHireDockingStation). */
import { Schema } from 'mongoose';
import type {
  RecordQuality,
  RecordSource,
} from '../../../../lib/ingest/quality.js';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';

/** A bike station as stored, with its latest availability. */
export interface BikeStationDoc {
  _id: string;
  name: string;
  location: { lat: number; lon: number };
  district: string;
  capacity: number;
  availableBikes: number;
  observedAt: Date;
  /** Who reported the availability (absent for seeded stations: the seed). */
  source?: RecordSource;
  receivedAt?: Date;
  quality?: RecordQuality;
}

/** Mongoose schema of {@link BikeStationDoc}. */
export const bikeStationSchema = new Schema<BikeStationDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    location: geoPointDefinition,
    district: districtFieldDefinition,
    capacity: { type: Number, required: true, min: 1, max: 100 },
    availableBikes: { type: Number, required: true, min: 0 },
    observedAt: { type: Date, required: true },
    source: { type: Schema.Types.Mixed, default: undefined },
    receivedAt: { type: Date, default: undefined },
    quality: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'bike_stations', versionKey: false },
);
bikeStationSchema.pre('validate', function () {
  if (this.availableBikes > this.capacity)
    this.invalidate('availableBikes', 'availableBikes cannot exceed capacity');
});
