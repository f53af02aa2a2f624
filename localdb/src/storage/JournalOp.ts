// Internal to localdb: the logical operations the journal records.
import type { Document } from 'bson';

/**
 * One state change. Each op sets state rather than describing a computation
 * (a `put` carries the whole new document), so replay never re-runs a query or an
 * update operator, and replaying an op twice leaves the same state.
 */
export type JournalOp =
  | {
      op: 'put';
      db: string;
      coll: string;
      doc: Document;
      /** `doc`'s BSON when already encoded; never journaled itself (see encodeJournalOp). */
      bytes?: Uint8Array | undefined;
      /** The record key, when not `doc._id`'s (a time series' duplicate `_id`). */
      rk?: string;
    }
  | { op: 'del'; db: string; coll: string; id: unknown; rk?: string }
  | { op: 'createCollection'; db: string; coll: string; options: Document }
  | { op: 'dropCollection'; db: string; coll: string }
  | { op: 'setOptions'; db: string; coll: string; options: Document }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; db: string; coll: string; spec: Document }
  | { op: 'dropIndex'; db: string; coll: string; name: string };
