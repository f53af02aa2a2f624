/**
 * The data-quality view of a department, the same in every department:
 * `Query.<department>DataQuality(range, source)` answers its ingestion
 * statistics per type and source (docs/ingestion.md, "Data quality";
 * lib/ingest/dataQuality.ts).
 */
import type { IngestPipeline } from '../ingest/createIngestPipeline.js';
import type { DataQualityReport } from '../ingest/dataQuality.js';
import { BadUserInputError } from '../runtime/errors.js';
import type { TimeRange } from './pagination.js';

/** The longest range one call may ask for: a quarter (93 days, 2,232 hours). */
export const MAX_DATA_QUALITY_RANGE_MS = 93 * 24 * 3_600_000;

/** What the resolver needs of the department's query module. */
export interface DataQualityQueries {
  dataQuality(
    range: { readonly from: Date; readonly to: Date },
    source: string | null,
  ): Promise<DataQualityReport[]>;
}

/** A department query module's `dataQuality`, over its pipeline (an error if it serves none). */
export function pipelineDataQuality(
  department: string,
  ingest: IngestPipeline | undefined,
): DataQualityQueries['dataQuality'] {
  return (range, source) => {
    if (!ingest) throw new Error(`${department} serves no ingestion pipeline`);
    return ingest.dataQuality(range, source);
  };
}

/** `Query.<department>DataQuality`: both ends of the range, from before to, at most 93 days. */
export function dataQualityQuery(
  args: { range: TimeRange; source?: string | null },
  queries: DataQualityQueries,
): Promise<DataQualityReport[]> {
  const { from, to } = args.range;
  if (!from || !to)
    throw new BadUserInputError(
      'The data-quality view needs both ends of the range ("from" and "to").',
      { argumentName: 'range' },
    );
  if (from.getTime() >= to.getTime())
    throw new BadUserInputError('"from" must be before "to".', {
      argumentName: 'range',
    });
  if (to.getTime() - from.getTime() > MAX_DATA_QUALITY_RANGE_MS)
    throw new BadUserInputError(
      'The range may span at most 93 days; ask for a quarter at a time.',
      { argumentName: 'range' },
    );
  const source = args.source?.trim() || null;
  if (source !== null && source.length > 200)
    throw new BadUserInputError('A source id has at most 200 characters.', {
      argumentName: 'source',
    });
  return queries.dataQuality({ from, to }, source);
}
