/**
 * The model every department counts its ingestion in, hour by hour and
 * source by source (collection `ingest_stats`, lib/ingest/ingestStats.ts),
 * compiled on each department's own connection by {@link createSharedModels}.
 */
import { Schema } from 'mongoose';
import {
  INGEST_STATS_COLLECTION,
  ingestStatsDocDefinition,
  type IngestStatsDoc,
} from '../../ingest/ingestStats.js';

/** Mongoose schema of {@link IngestStatsDoc}. */
export const ingestStatSchema = new Schema<IngestStatsDoc>(
  ingestStatsDocDefinition,
  { collection: INGEST_STATS_COLLECTION, versionKey: false, minimize: false },
);
