/**
 * The model every department keeps its workflow mutations' idempotency keys
 * in (collection `idempotency_keys`, lib/subgraph-kit/idempotency.ts),
 * compiled on each department's own connection by {@link createSharedModels}.
 */
import { Schema } from 'mongoose';
import {
  IDEMPOTENCY_COLLECTION,
  idempotencyDocDefinition,
  type IdempotencyDoc,
} from '../idempotency.js';

/** Mongoose schema of {@link IdempotencyDoc}. */
export const idempotencyRecordSchema = new Schema<IdempotencyDoc>(
  idempotencyDocDefinition,
  { collection: IDEMPOTENCY_COLLECTION, versionKey: false },
);
