// Internal to localdb: evaluates a find (filter, sort, skip, limit, projection) with mingo.
import type { Document } from 'bson';
import { createQuery } from './mingo.js';
import { toCommandError } from '../errors.js';
import type { Collection } from '../storage/Collection.js';
import { candidates } from './candidates.js';

/** Options for runFind. */
export interface FindOptions {
  sort?: Document | undefined;
  projection?: Document | undefined;
  skip?: number | undefined;
  /** 0 or undefined = no limit. */
  limit?: number | undefined;
}

/** The matching documents in order. Uses `_id` or an index when the filter allows. */
export function runFind(
  coll: Collection | undefined,
  filter: Document,
  options: FindOptions = {},
): Document[] {
  if (coll === undefined) return [];
  const found = candidates(coll, filter);
  const projection =
    options.projection !== undefined &&
    Object.keys(options.projection).length > 0
      ? options.projection
      : undefined;
  const sorted =
    options.sort !== undefined && Object.keys(options.sort).length > 0;
  if (found?.exact === true && projection === undefined && !sorted) {
    // The index lookup decided the match: skip building a mingo query, which on the
    // hot path of find-by-key costs more than the lookup itself.
    const skip = options.skip ?? 0;
    const limit =
      options.limit === undefined || options.limit === 0
        ? undefined
        : Math.abs(options.limit);
    return found.docs.slice(
      skip,
      limit === undefined ? undefined : skip + limit,
    );
  }
  const source = found?.docs ?? [...coll.values()];
  try {
    let cursor = createQuery(filter, projection).find(source, projection);
    if (sorted) {
      cursor = cursor.sort(options.sort as Record<string, 1 | -1>);
    }
    if (options.skip !== undefined && options.skip > 0)
      cursor = cursor.skip(options.skip);
    if (options.limit !== undefined && options.limit !== 0)
      cursor = cursor.limit(Math.abs(options.limit));
    return cursor.all() as Document[];
  } catch (err) {
    throw toCommandError(err);
  }
}
