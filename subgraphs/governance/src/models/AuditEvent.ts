/**
 * Governance model: the audit events the gateway writes (lib/records/audit) in the
 * governance database's `audit_events` collection. Read-only here: the
 * subgraph never writes, updates or deletes an event; only lib/records/audit appends.
 */
import { Schema, type Types } from 'mongoose';
import {
  AUDIT_EVENTS_COLLECTION,
  type AuditEvent,
} from '../../../../lib/records/audit/index.js';

/** `T` with every member writable, down through arrays (mongoose documents are). */
type Writable<T> = {
  -readonly [K in keyof T]: T[K] extends readonly (infer E)[]
    ? Writable<E>[]
    : T[K];
};

/**
 * An audit event as stored: lib/records/audit's `AuditEvent` (the one
 * definition of its fields) plus the document id.
 */
export interface AuditEventDoc extends Writable<AuditEvent> {
  _id: Types.ObjectId;
}

/** Mongoose schema of {@link AuditEventDoc}, with the indexes the `auditEvents` filters use. */
export const auditEventSchema = new Schema<AuditEventDoc>(
  {
    chainId: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    requestId: { type: String, required: true },
    subject: { type: String, default: null },
    scopes: { type: [String], default: [] },
    purpose: { type: String, default: null },
    clientName: { type: String, default: null },
    clientVersion: { type: String, default: null },
    operationName: { type: String, default: null },
    documentHash: { type: String, default: null },
    fields: {
      type: [
        {
          _id: false,
          coordinate: { type: String, required: true },
          rule: { type: String, required: true },
          decision: { type: String, required: true },
        },
      ],
      default: [],
    },
    records: {
      type: [
        {
          _id: false,
          type: { type: String, required: true },
          id: { type: String, required: true },
          subject: { type: String, default: null },
          fields: { type: [String], default: [] },
          personalData: { type: Boolean, required: true },
        },
      ],
      default: [],
    },
    subgraphs: { type: [String], default: [] },
    outcome: { type: String, required: true },
    errorCodes: { type: [String], default: [] },
    durationMs: { type: Number, required: true },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { collection: AUDIT_EVENTS_COLLECTION, versionKey: false, strict: true },
);
// Newest first, overall and per subject; `{ chainId, seq }` (unique) is
// created by the writer, lib/records/audit.
auditEventSchema.index({ at: -1, _id: -1 });
auditEventSchema.index({ subject: 1, at: -1 });
auditEventSchema.index({ 'fields.coordinate': 1, at: -1 });
// Who was served this record; every read of a citizen's records (issue 14).
auditEventSchema.index({ 'records.type': 1, 'records.id': 1, at: -1 });
auditEventSchema.index({ 'records.subject': 1, at: -1 });
