/**
 * Cursor-based (keyset) pagination shared by every list field of the graph.
 * Cursors are opaque to clients: base64url of EJSON `[sortValue, _id]`, so a
 * page is found with an index range, never with skip.
 */
import { EJSON } from 'bson';
import type { QueryFilter, Model } from 'mongoose';
import { BadUserInputError } from '../runtime/errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../runtime/pageSizes.js';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE };

/** The `first`/`after` arguments of a list field. */
export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

/** One page of a list, shaped as the schemas' `...Connection` types. */
export interface Page<T = unknown> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  /** Resolved only when the client asks for it (a function field). */
  totalCount: () => Promise<number>;
}

/** Options of {@link paginate}. */
export interface PaginateOptions {
  /**
   * Field to order by; `_id` breaks ties.
   * @default '_id'
   */
  sortField?: string;
  /**
   * 1 ascending, -1 descending (newest first for time series).
   * @default 1
   */
  direction?: 1 | -1;
}

/** Checks `first` and returns the page size to use. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(
      `"first" must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${first}.`,
      {
        argumentName: 'first',
      },
    );
  }
  return first;
}

/** Encodes a cursor for a document. */
export function encodeCursor(sortValue: unknown, id: unknown): string {
  return Buffer.from(
    EJSON.stringify([sortValue, id], { relaxed: false }),
  ).toString('base64url');
}

/** Decodes a cursor; a malformed one is BAD_USER_INPUT. */
export function decodeCursor(cursor: string): [unknown, unknown] {
  try {
    const value: unknown = EJSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
      { relaxed: false },
    );
    if (Array.isArray(value) && value.length === 2) return [value[0], value[1]];
  } catch {
    // fall through to the error below
  }
  throw new BadUserInputError(
    '"after" is not a cursor returned by this field.',
    { argumentName: 'after' },
  );
}

/**
 * Reads one page of `model` matching `filter`, ordered by `sortField` then
 * `_id`. Fetches `first + 1` documents to know whether another page follows.
 */
export async function paginate<T extends { _id: unknown }>(
  model: Model<T>,
  filter: QueryFilter<T>,
  args: PageArgs,
  options: PaginateOptions = {},
): Promise<Page<T>> {
  const size = pageSize(args.first);
  const sortField = options.sortField ?? '_id';
  const direction = options.direction ?? 1;
  const op = direction === 1 ? '$gt' : '$lt';
  let query: QueryFilter<T> = filter;
  if (args.after) {
    const [value, id] = decodeCursor(args.after);
    const after =
      sortField === '_id'
        ? { _id: { [op]: id } }
        : {
            $or: [
              { [sortField]: { [op]: value } },
              { [sortField]: value, _id: { [op]: id } },
            ],
          };
    query = { $and: [filter, after] } as QueryFilter<T>;
  }
  const sort: Record<string, 1 | -1> =
    sortField === '_id'
      ? { _id: direction }
      : { [sortField]: direction, _id: direction };
  const docs = (await model
    .find(query)
    .sort(sort)
    .limit(size + 1)
    .lean()
    .exec()) as T[];
  const hasNextPage = docs.length > size;
  const nodes = hasNextPage ? docs.slice(0, size) : docs;
  const last = nodes.at(-1) as (T & Record<string, unknown>) | undefined;
  return {
    nodes,
    pageInfo: {
      hasNextPage,
      endCursor: last
        ? encodeCursor(
            sortField === '_id' ? last._id : last[sortField],
            last._id,
          )
        : null,
    },
    totalCount: () => model.countDocuments(filter).exec(),
  };
}

/** A `{ from, to }` time range argument. */
export interface TimeRange {
  from?: Date | null | undefined;
  to?: Date | null | undefined;
}

/** A filter on `field` for a time range (from inclusive, to exclusive); checks from < to. */
export function timeRangeFilter(
  field: string,
  range: TimeRange | null | undefined,
): Record<string, unknown> {
  if (!range) return {};
  const { from, to } = range;
  if (from && to && from.getTime() >= to.getTime()) {
    throw new BadUserInputError('"from" must be before "to".', {
      argumentName: 'range',
    });
  }
  const condition: Record<string, Date> = {};
  if (from) condition['$gte'] = from;
  if (to) condition['$lt'] = to;
  return Object.keys(condition).length > 0 ? { [field]: condition } : {};
}

/**
 * A page of a time series, newest first, within `args.range` on `timeField`
 * (from inclusive, to exclusive), with the keyset cursor on that field: the
 * one way every reading, indicator and event list of the graph is paged.
 */
export function paginateTimeSeries<T extends { _id: unknown }>(
  model: Model<T>,
  filter: QueryFilter<T>,
  args: PageArgs & { range?: TimeRange | null | undefined },
  timeField = 'observedAt',
): Promise<Page<T>> {
  return paginate(
    model,
    { ...filter, ...timeRangeFilter(timeField, args.range) } as QueryFilter<T>,
    args,
    {
      sortField: timeField,
      direction: -1,
    },
  );
}
