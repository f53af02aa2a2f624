// Internal to localdb: TTL, the removal of documents past their expiry.
import { runFind } from '../query/runFind.js';
import type { Collection } from './Collection.js';
import { timeSeriesOf } from './timeSeries.js';

/**
 * Removes what MongoDB's TTL monitor would: documents whose indexed date (the earliest,
 * for an array) is older than a TTL index's `expireAfterSeconds`, and time-series
 * measurements whose time field is older than the collection's `expireAfterSeconds`.
 * Returns how many were removed. The caller flushes them to the journal.
 * See https://www.mongodb.com/docs/manual/core/index-ttl/
 */
export function expireCollection(coll: Collection, now: number): number {
  let removed = 0;
  const ts = timeSeriesOf(coll.options);
  const collExpire = coll.options['expireAfterSeconds'];
  if (ts !== undefined && typeof collExpire === 'number') {
    const cutoff = new Date(now - collExpire * 1000);
    for (const doc of runFind(coll, { [ts.timeField]: { $lt: cutoff } })) {
      coll.remove(doc);
      removed += 1;
    }
  }
  for (const name of coll.indexNames()) {
    const index = coll.indexByName(name);
    const seconds = index?.spec['expireAfterSeconds'];
    if (index === undefined || typeof seconds !== 'number') continue;
    // MongoDB ignores expireAfterSeconds on compound indexes.
    if (index.fields.length !== 1) continue;
    const field = index.fields[0] as string;
    const cutoff = new Date(now - seconds * 1000);
    for (const doc of runFind(
      coll,
      { [field]: { $lt: cutoff } },
      { hint: index.name },
    )) {
      coll.remove(doc);
      removed += 1;
    }
  }
  return removed;
}
