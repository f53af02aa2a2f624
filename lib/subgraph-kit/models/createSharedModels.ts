/**
 * The models every department has, defined once here and compiled on each
 * department's own connection (its own database): a department's
 * `models/index.ts` spreads them beside its own.
 */
import type { Connection } from 'mongoose';
import type { QuarantineDoc } from '../../ingest/quarantine.js';
import type { IngestStatsDoc } from '../../ingest/ingestStats.js';
import type { IdempotencyDoc } from '../idempotency.js';
import { idempotencyRecordSchema } from './IdempotencyRecord.js';
import { ingestStatSchema } from './IngestStat.js';
import { quarantinedRecordSchema } from './QuarantinedRecord.js';

/** Compiles the shared models on `connection` (once per connection). */
export function createSharedModels(connection: Connection) {
  return {
    /** The idempotency keys of its workflow mutations (lib/subgraph-kit/idempotency.ts). */
    IdempotencyRecord: connection.model<IdempotencyDoc>(
      'IdempotencyRecord',
      idempotencyRecordSchema,
    ),
    /** Records the department's ingestion rejected (lib/ingest/quarantine.ts). */
    QuarantinedRecord: connection.model<QuarantineDoc>(
      'QuarantinedRecord',
      quarantinedRecordSchema,
    ),
    /** Its ingestion counted per source, type and hour (lib/ingest/ingestStats.ts). */
    IngestStat: connection.model<IngestStatsDoc>(
      'IngestStat',
      ingestStatSchema,
    ),
  };
}

/** The models of {@link createSharedModels}. */
export type SharedModels = ReturnType<typeof createSharedModels>;
