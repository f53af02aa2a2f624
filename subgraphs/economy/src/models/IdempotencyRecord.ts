/** Economy model: the idempotency keys of its workflow mutations (lib/subgraph-kit/idempotency.ts). */
import { Schema } from 'mongoose';
import {
  IDEMPOTENCY_COLLECTION,
  idempotencyDocDefinition,
  type IdempotencyDoc,
} from '../../../../lib/subgraph-kit/idempotency.js';

/** Mongoose schema of {@link IdempotencyDoc}. */
export const idempotencyRecordSchema = new Schema<IdempotencyDoc>(
  idempotencyDocDefinition,
  { collection: IDEMPOTENCY_COLLECTION, versionKey: false },
);
