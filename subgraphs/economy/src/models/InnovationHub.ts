/** Economy model: an innovation hub (incubator, accelerator, technopole). */
import { Schema } from 'mongoose';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';

/** An innovation hub as stored. */
export interface InnovationHubDoc {
  /** `eco-hub-1` to `eco-hub-6`. */
  _id: string;
  name: string;
  district: string;
  location: { lat: number; lon: number };
  /** Startups it can host: bounds the `startups` list. */
  capacity: number;
}

/** Mongoose schema of {@link InnovationHubDoc}. */
export const innovationHubSchema = new Schema<InnovationHubDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, maxlength: 200 },
    district: districtFieldDefinition,
    location: geoPointDefinition,
    capacity: { type: Number, required: true, min: 1, max: 100 },
  },
  { collection: 'innovation_hubs', versionKey: false },
);
