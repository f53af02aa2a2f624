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
import { defineStateMachine } from '../../../../lib/subgraph-kit/stateMachine.js';
import { versionFieldDefinition } from '../../../../lib/subgraph-kit/versioning.js';
import {
  NAF_SECTION_CODES,
  SIZE_BANDS,
  isWellFormedSiret,
  type NafSection,
  type SizeBand,
} from '../naf.js';

/** Administrative states (SIRENE: A actif, F fermé). */
export const BUSINESS_STATUSES = ['ACTIVE', 'CLOSED'] as const;

/**
 * A business's life cycle (docs/workflows.md): an ACTIVE one may be
 * corrected (ACTIVE → ACTIVE) or closed; CLOSED is final.
 */
export const businessLifecycle = defineStateMachine<
  (typeof BUSINESS_STATUSES)[number]
>('Business', { ACTIVE: ['ACTIVE', 'CLOSED'], CLOSED: [] });

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
  /** Absent on businesses stored before statuses existed: ACTIVE. */
  status?: (typeof BUSINESS_STATUSES)[number];
  closedOn?: Date | null;
  /** Staff subject of the last change through the graph. */
  updatedBy?: string | null;
  /** +1 on each change (lib/subgraph-kit/versioning.ts); absent: 1. */
  version?: number;
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
    status: { type: String, enum: BUSINESS_STATUSES, default: 'ACTIVE' },
    closedOn: { type: Date, default: null },
    updatedBy: { type: String, default: null },
    version: versionFieldDefinition,
    ...pendingEventsDefinition,
  },
  { collection: 'businesses', versionKey: false },
);
// The events of its last change until the outbox has them (lib/subgraph-kit/pendingEvents.ts).
indexPendingEvents(businessSchema);
businessSchema.index({ district: 1, sector: 1 });
