/**
 * The staff view of a department's ingestion quarantine, the same in every
 * department: `<department>Quarantine` lists it, `replay<Department>Quarantine`
 * replays records once their cause is fixed (docs/ingestion.md, Quarantine).
 */
import type { ReplayResult } from '../ingest/replayQuarantined.js';
import type { QuarantineDoc } from '../ingest/quarantine.js';
import { BadUserInputError } from '../runtime/errors.js';
import type { Page, PageArgs } from './pagination.js';

/** Most records replayed in one call. */
export const MAX_REPLAY_IDS = 100;

/** What the resolvers need of the department's query module. */
export interface QuarantineQueries {
  quarantine(
    filter: Record<string, unknown>,
    args: PageArgs,
  ): Promise<Page<QuarantineDoc>>;
  replayQuarantine(ids: readonly string[]): Promise<ReplayResult[]>;
}

/** `Query.<department>Quarantine`. */
export function quarantineQuery(
  args: PageArgs & { status?: 'OPEN' | 'REPLAYED' | null },
  queries: QuarantineQueries,
): Promise<Page<QuarantineDoc>> {
  return queries.quarantine(
    args.status ? { status: args.status.toLowerCase() } : {},
    args,
  );
}

/** `Mutation.replay<Department>Quarantine`: at most 100 ids; an empty list is BAD_USER_INPUT. */
export function replayQuarantineMutation(
  ids: readonly string[],
  queries: QuarantineQueries,
): Promise<ReplayResult[]> {
  if (ids.length === 0 || ids.length > MAX_REPLAY_IDS)
    throw new BadUserInputError(
      `Replay 1 to ${MAX_REPLAY_IDS} quarantined records at a time, got ${ids.length}.`,
      { argumentName: 'ids' },
    );
  return queries.replayQuarantine([...new Set(ids)]);
}

/** Resolvers of the shared `QuarantinedRecord` type. */
export const quarantinedRecordResolvers = {
  id: (doc: QuarantineDoc) => doc._id,
  status: (doc: QuarantineDoc) =>
    doc.status.toUpperCase() as Uppercase<QuarantineDoc['status']>,
};
