/** Economy model: records its ingestion rejected, kept for staff to inspect and replay. */
import { Schema } from 'mongoose';
import {
  QUARANTINE_COLLECTION,
  quarantineDocDefinition,
  type QuarantineDoc,
} from '../../../../lib/ingest/quarantine.js';

/** Mongoose schema of {@link QuarantineDoc}. */
export const quarantinedRecordSchema = new Schema<QuarantineDoc>(
  quarantineDocDefinition,
  { collection: QUARANTINE_COLLECTION, versionKey: false },
);
