/**
 * The ledger of stored readings, for dedupe (lib/ingest/storeObservations.ts),
 * in every department that stores readings (mobility, environment): compiled
 * on its own connection by its `models/index.ts`.
 */
import { Schema } from 'mongoose';
import {
  READING_KEYS_COLLECTION,
  readingKeyDocDefinition,
  readingKeyTtlSeconds,
  type ReadingKeyDoc,
} from '../../ingest/storeObservations.js';

const schemas = new Map<number, Schema<ReadingKeyDoc>>();

/** Mongoose schema of {@link ReadingKeyDoc}, its TTL one day past the raw retention (one schema per retention). */
export function createReadingKeySchema(
  rawRetentionDays: number,
): Schema<ReadingKeyDoc> {
  const known = schemas.get(rawRetentionDays);
  if (known) return known;
  const schema = new Schema<ReadingKeyDoc>(readingKeyDocDefinition, {
    collection: READING_KEYS_COLLECTION,
    versionKey: false,
  });
  schema.index(
    { receivedAt: 1 },
    { expireAfterSeconds: readingKeyTtlSeconds(rawRetentionDays) },
  );
  schemas.set(rawRetentionDays, schema);
  return schema;
}
