/**
 * The model every department keeps its ingestion rejections in: one
 * definition for the four databases (collection `ingest_quarantine`,
 * lib/ingest/quarantine.ts), compiled on each department's own connection by
 * {@link createSharedModels}.
 */
import { Schema } from 'mongoose';
import {
  QUARANTINE_COLLECTION,
  quarantineDocDefinition,
  type QuarantineDoc,
} from '../../ingest/quarantine.js';

/** Mongoose schema of {@link QuarantineDoc}. */
export const quarantinedRecordSchema = new Schema<QuarantineDoc>(
  quarantineDocDefinition,
  { collection: QUARANTINE_COLLECTION, versionKey: false },
);
