/**
 * Provenance and quality of ingested records, as every department stores
 * and answers them: the mongoose definitions of `source` and `quality`
 * (plain objects, so lib needs no mongoose import) and the resolvers of the
 * shared `RecordSource` / `RecordQuality` types.
 */
import type { RecordQuality, RecordSource } from '../ingest/quality.js';
import { isStale } from '../ingest/storeObservations.js';

/** The mongoose definition of a record's `source`. */
export const recordSourceDefinition = {
  kind: {
    type: String,
    required: true,
    enum: ['partner', 'device', 'import', 'seed'],
  },
  id: { type: String, required: true },
} as const;

/** The mongoose definition of a record's `quality`. */
export const recordQualityDefinition = {
  flags: { type: [String], default: [] },
  score: { type: Number, required: true, min: 0, max: 1 },
} as const;

/** The source of the seed's documents. */
export function seedSource(department: string): RecordSource {
  return { kind: 'seed', id: `seed:${department}` };
}

/** The quality of a seed document: complete, no flag. */
export const SEED_QUALITY: RecordQuality = Object.freeze({
  flags: [],
  score: 1,
});

/** Resolvers of the shared `RecordSource` type (stored kinds are lower case, the enum upper case). */
export const recordSourceResolvers = {
  kind: (source: RecordSource) =>
    source.kind.toUpperCase() as Uppercase<RecordSource['kind']>,
};

/**
 * The `stale` of a record answered as current state: older than the type's
 * `staleAfterMs` now.
 */
export function staleResolver(staleAfterMs: number) {
  return (doc: { observedAt: Date }) => isStale(doc.observedAt, staleAfterMs);
}
