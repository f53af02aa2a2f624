/** Engagement model: a citizen report, an Open311 GeoReport v2 service request. */
import { Schema } from 'mongoose';
import {
  indexPendingEvents,
  pendingEventsDefinition,
  type PendingEventsHolder,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import type { RecordSource } from '../../../../lib/ingest/quality.js';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';
import {
  foreignIdValidator,
  TRAFFIC_LIGHT_ID,
  WATER_METER_ID,
} from '../foreignIds.js';
import {
  PERSONAL_DATA_KINDS,
  redactPersonalData,
  type PersonalDataKind,
} from '../../../../lib/subgraph-kit/redactPersonalData.js';
import { SERVICE_CODES } from '../serviceTypes.js';
import { defineStateMachine } from '../../../../lib/subgraph-kit/stateMachine.js';
import { versionFieldDefinition } from '../../../../lib/subgraph-kit/versioning.js';

/** Open311 statuses, stored as Open311 writes them. */
export const REPORT_STATUSES = ['open', 'closed'] as const;

/**
 * A report's life cycle in Open311 statuses, named as GraphQL names them
 * (docs/workflows.md): an open
 * report is annotated (open → open) or closed; a closed one only reopened.
 */
export const citizenReportLifecycle = defineStateMachine<'OPEN' | 'CLOSED'>(
  'CitizenReport',
  { OPEN: ['OPEN', 'CLOSED'], CLOSED: ['OPEN'] },
);

/** A citizen report as stored (Open311 names in camelCase). */
export interface CitizenReportDoc extends PendingEventsHolder {
  /** Open311 `service_request_id`, e.g. `eng-cr-00042`. */
  _id: string;
  serviceCode: string;
  serviceName: string;
  /** The public text: personal data the reporter wrote in it is masked (docs/access-control.md, "Free text"). */
  description: string;
  /** The text as written, when masking changed it (personal data); null when nothing was masked. */
  descriptionOriginal?: string | null;
  /** The kinds masked in `description`. */
  descriptionRedactions?: PersonalDataKind[];
  status: (typeof REPORT_STATUSES)[number];
  statusNotes: string | null;
  agencyResponsible: string;
  requestedDatetime: Date;
  updatedDatetime: Date;
  address: string | null;
  district: string;
  location: { lat: number; lon: number };
  /** Mobility's traffic light reported on (`mob-tl-<INSEE>-<NN>`). */
  trafficLightId: string | null;
  /** Environment's water meter reported on (`env-wm-<INSEE>-<N>`). */
  waterMeterId: string | null;
  reporterName: string | null;
  reporterEmail: string | null;
  reporterPhone: string | null;
  /** The `sub` of who submitted it (null for seed data); the partner, device or file for an ingested one. */
  submittedBy: string | null;
  /** Where an ingested report came from (docs/ingestion.md); absent for reports submitted in the graph. */
  source?: RecordSource | null;
  /** When an ingested report was received. */
  receivedAt?: Date | null;
  /** +1 on each change (lib/subgraph-kit/versioning.ts); absent on ingested reports: 1. */
  version?: number;
}

/** Mongoose schema of {@link CitizenReportDoc}. */
export const citizenReportSchema = new Schema<CitizenReportDoc>(
  {
    _id: { type: String, required: true },
    serviceCode: { type: String, required: true, enum: SERVICE_CODES },
    serviceName: { type: String, required: true },
    description: {
      type: String,
      required: true,
      trim: true,
      minlength: 10,
      maxlength: 2000,
    },
    descriptionOriginal: { type: String, default: null, maxlength: 2000 },
    descriptionRedactions: {
      type: [{ type: String, enum: PERSONAL_DATA_KINDS }],
      default: [],
    },
    status: { type: String, enum: REPORT_STATUSES, required: true },
    statusNotes: { type: String, default: null, maxlength: 1000 },
    agencyResponsible: { type: String, required: true },
    requestedDatetime: { type: Date, required: true },
    updatedDatetime: { type: Date, required: true },
    address: { type: String, default: null, maxlength: 200 },
    district: districtFieldDefinition,
    location: geoPointDefinition,
    trafficLightId: {
      type: String,
      default: null,
      validate: foreignIdValidator(TRAFFIC_LIGHT_ID, 'traffic light'),
    },
    waterMeterId: {
      type: String,
      default: null,
      validate: foreignIdValidator(WATER_METER_ID, 'water meter'),
    },
    reporterName: { type: String, default: null, maxlength: 100 },
    reporterEmail: { type: String, default: null, maxlength: 254 },
    reporterPhone: { type: String, default: null, maxlength: 30 },
    submittedBy: { type: String, default: null },
    source: { type: { _id: false, kind: String, id: String }, default: null },
    receivedAt: { type: Date, default: null },
    version: versionFieldDefinition,
    ...pendingEventsDefinition,
  },
  { collection: 'citizen_reports', versionKey: false },
);
// The events of its last change until the outbox has them (lib/subgraph-kit/pendingEvents.ts).
indexPendingEvents(citizenReportSchema);
citizenReportSchema.pre('validate', function () {
  // Every write through the model (the mutation, ingestion, the seed) masks
  // personal data in the public text before it is stored; the original
  // goes to the protected field. Masking is idempotent, so a document saved
  // again keeps its original.
  if (typeof this.description === 'string') {
    const { text, kinds } = redactPersonalData(this.description);
    if (kinds.length > 0) {
      this.descriptionOriginal ??= this.description;
      this.description = text;
      this.descriptionRedactions = [
        ...new Set([...(this.descriptionRedactions ?? []), ...kinds]),
      ];
    }
  }
  if (this.updatedDatetime < this.requestedDatetime)
    this.invalidate(
      'updatedDatetime',
      'updatedDatetime cannot precede requestedDatetime',
    );
});
citizenReportSchema.index({ requestedDatetime: -1 });
citizenReportSchema.index({ district: 1, requestedDatetime: -1 });
citizenReportSchema.index({ status: 1, requestedDatetime: -1 });
citizenReportSchema.index(
  { trafficLightId: 1, requestedDatetime: -1 },
  { sparse: true },
);
citizenReportSchema.index({ waterMeterId: 1 }, { sparse: true });
