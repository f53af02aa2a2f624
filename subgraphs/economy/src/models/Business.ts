/** Economy model: a local business establishment (SIRENE-like registry entry). */
import { Schema } from 'mongoose';
import {
  indexPendingEvents,
  pendingEventsDefinition,
  type PendingEventsHolder,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';
import {
  NAF_SECTION_CODES,
  SIZE_BANDS,
  isWellFormedSiret,
  type NafSection,
  type SizeBand,
} from '../naf.js';

/** A business as stored. */
export interface BusinessDoc extends PendingEventsHolder {
  /** `eco-biz-<INSEE>-<NNN>`, e.g. `eco-biz-13201-001`. */
  _id: string;
  /** SIRET, 14 digits; unique index `registryNumber_1`. */
  registryNumber: string;
  name: string;
  sector: NafSection;
  sizeBand: SizeBand;
  founded: Date;
  district: string;
  location: { lat: number; lon: number };
  /** Staff subject who registered it through the graph; null for imported entries. */
  registeredBy: string | null;
}

/** Mongoose schema of {@link BusinessDoc}. */
export const businessSchema = new Schema<BusinessDoc>(
  {
    _id: { type: String, required: true, match: /^eco-biz-132\d{2}-\d{3,}$/ },
    registryNumber: {
      type: String,
      required: true,
      unique: true,
      validate: {
        validator: isWellFormedSiret,
        message: 'registryNumber must be a well-formed SIRET (14 digits, Luhn)',
      },
    },
    name: { type: String, required: true, trim: true, maxlength: 200 },
    sector: { type: String, enum: NAF_SECTION_CODES, required: true },
    sizeBand: { type: String, enum: SIZE_BANDS, required: true },
    founded: { type: Date, required: true },
    district: districtFieldDefinition,
    location: geoPointDefinition,
    registeredBy: { type: String, default: null },
    ...pendingEventsDefinition,
  },
  { collection: 'businesses', versionKey: false },
);
// The events of its last change until the outbox has them (lib/subgraph-kit/pendingEvents.ts).
indexPendingEvents(businessSchema);
businessSchema.index({ district: 1, sector: 1 });
