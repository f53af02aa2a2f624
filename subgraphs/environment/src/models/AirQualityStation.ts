/** Environment model: an air-quality monitoring station (it also measures noise). */
import { Schema } from 'mongoose';
import type { AirQualityObservedDoc } from './AirQualityObserved.js';
import type { NoiseLevelObservedDoc } from './NoiseLevelObserved.js';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';

/** An air-quality station as stored. */
export interface AirQualityStationDoc {
  /** Stable id, `env-aq-<INSEE>` for a district's first station, `env-aq-<INSEE>-<n>` for the others. */
  _id: string;
  name: string;
  location: { lat: number; lon: number };
  /** INSEE code of its district. */
  district: string;
  /**
   * Current state: a copy of its newest air-quality reading, replaced on
   * ingest only by a newer one (lib/ingest/storeObservations.ts).
   */
  latestAirQuality?: AirQualityObservedDoc | null;
  /** Current state: a copy of its newest noise reading. */
  latestNoiseLevel?: NoiseLevelObservedDoc | null;
}

/** Mongoose schema of {@link AirQualityStationDoc}. */
export const airQualityStationSchema = new Schema<AirQualityStationDoc>(
  {
    _id: { type: String, required: true, match: /^env-aq-132\d\d(?:-\d+)?$/ },
    name: { type: String, required: true, trim: true, maxlength: 200 },
    location: geoPointDefinition,
    district: districtFieldDefinition,
    latestAirQuality: { type: Schema.Types.Mixed, default: null },
    latestNoiseLevel: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'air_quality_stations', versionKey: false },
);
