/**
 * Cursor-based (keyset) pagination shared by every list field of the graph,
 * following the GraphQL Cursor Connections Specification
 * (https://relay.dev/graphql/connections.htm): `edges { cursor node }` beside
 * `nodes`, a full `pageInfo`, forward (`first`/`after`) and backward
 * (`last`/`before`) paging. Cursors are opaque to clients: base64url of EJSON
 * `[sortValue, _id]`, so a page is found with an index range, never with skip.
 */
import { EJSON } from 'bson';
import type { QueryFilter, Model } from 'mongoose';
import { BadUserInputError } from '../runtime/errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../runtime/pageSizes.js';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE };

/** The `first`/`after`/`last`/`before` arguments of a list field. */
export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

/** One edge of a connection: a node and the cursor that points at it. */
export interface Edge<T = unknown> {
  cursor: string;
  node: T;
}

/** The `PageInfo` of the Cursor Connections Specification. */
export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/** One page of a list, shaped as the schemas' `...Connection` types. */
export interface Page<T = unknown> {
  nodes: T[];
  edges: Edge<T>[];
  pageInfo: PageInfo;
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

function checkSize(
  value: number | null | undefined,
  argumentName: 'first' | 'last',
): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new BadUserInputError(
      `"${argumentName}" must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${value}.`,
      { argumentName },
    );
  }
  return value;
}

/** Checks `first` and returns the page size to use. */
export function pageSize(first: number | null | undefined): number {
  return checkSize(first, 'first') ?? DEFAULT_PAGE_SIZE;
}

/** Which way a request pages, and how many items it wants. */
interface PageWindow {
  /** `backward` when the client gave `last` (the items just before `before`, or the last ones). */
  backward: boolean;
  size: number;
  after: [unknown, unknown] | undefined;
  before: [unknown, unknown] | undefined;
}

/** Checks the paging arguments together (both `first` and `last` is BAD_USER_INPUT). */
export function pageWindow(args: PageArgs): PageWindow {
  const first = checkSize(args.first, 'first');
  const last = checkSize(args.last, 'last');
  if (first !== undefined && last !== undefined) {
    throw new BadUserInputError(
      'Give "first" (with "after") to page forward or "last" (with "before") to page backward, not both.',
      { argumentName: 'last' },
    );
  }
  return {
    backward: last !== undefined,
    size: first ?? last ?? DEFAULT_PAGE_SIZE,
    after: args.after ? decodeCursor(args.after, 'after') : undefined,
    before: args.before ? decodeCursor(args.before, 'before') : undefined,
  };
}

/** Encodes a cursor for a document. */
export function encodeCursor(sortValue: unknown, id: unknown): string {
  return Buffer.from(
    EJSON.stringify([sortValue, id], { relaxed: false }),
  ).toString('base64url');
}

/** A scalar as stored: null, string, number, boolean, Date, or a BSON scalar (ObjectId, Long, Decimal128). */
function isCursorValue(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return value instanceof Date || '_bsontype' in value;
}

/** Decodes a cursor; a malformed one is BAD_USER_INPUT naming the argument. */
export function decodeCursor(
  cursor: string,
  argumentName: 'after' | 'before' = 'after',
): [unknown, unknown] {
  try {
    const value: unknown = EJSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
      { relaxed: false },
    );
    // Only values a cursor of ours holds (a sort value and an id: strings,
    // numbers, dates, BSON scalars such as ObjectId); an object or array
    // would reach the query as an operand the client chose.
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value.every(isCursorValue)
    )
      return [value[0], value[1]];
  } catch {
    // fall through to the error below
  }
  throw new BadUserInputError(
    `"${argumentName}" is not a cursor returned by this field.`,
    { argumentName },
  );
}

/**
 * Assembles a page from the items of a window, in list order, fetched with
 * one extra item beyond the window (in the paging direction) to know whether
 * more follow.
 */
function assemble<T>(
  fetched: T[],
  window: PageWindow,
  cursorOf: (item: T) => string,
): Omit<Page<T>, 'totalCount'> {
  const more = fetched.length > window.size;
  const kept = more ? fetched.slice(0, window.size) : fetched;
  // Backward pages are fetched in reverse order; the list order is restored here.
  const nodes = window.backward ? kept.reverse() : kept;
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    nodes,
    edges,
    pageInfo: {
      // The spec lets the other direction's flag say whether a cursor bounds
      // the page: an `after` cursor names an item before the page, and a
      // `before` cursor one after it.
      hasNextPage: window.backward ? window.before !== undefined : more,
      hasPreviousPage: window.backward ? more : window.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** The order a window is read in: the list order, reversed for a backward window. */
function readOrder(window: PageWindow, direction: 1 | -1): 1 | -1 {
  return window.backward ? (-direction as 1 | -1) : direction;
}

/**
 * Reads one page of `model` matching `filter`, ordered by `sortField` then
 * `_id`. Fetches one document more than the page to know whether another
 * page follows; a backward page is read in reverse order from `before`.
 */
export async function paginate<T extends { _id: unknown }>(
  model: Model<T>,
  filter: QueryFilter<T>,
  args: PageArgs,
  options: PaginateOptions = {},
): Promise<Page<T>> {
  const window = pageWindow(args);
  const sortField = options.sortField ?? '_id';
  const direction = options.direction ?? 1;
  const bound = (cursor: [unknown, unknown], op: '$gt' | '$lt') => {
    const [value, id] = cursor;
    return sortField === '_id'
      ? { _id: { [op]: id } }
      : {
          $or: [
            { [sortField]: { [op]: value } },
            { [sortField]: value, _id: { [op]: id } },
          ],
        };
  };
  const forward = direction === 1 ? '$gt' : '$lt';
  const backward = direction === 1 ? '$lt' : '$gt';
  const bounds = [
    ...(window.after ? [bound(window.after, forward)] : []),
    ...(window.before ? [bound(window.before, backward)] : []),
  ];
  const query = (
    bounds.length > 0 ? { $and: [filter, ...bounds] } : filter
  ) as QueryFilter<T>;
  const order = readOrder(window, direction);
  const sort: Record<string, 1 | -1> =
    sortField === '_id' ? { _id: order } : { [sortField]: order, _id: order };
  const docs = (await model
    .find(query)
    .sort(sort)
    .limit(window.size + 1)
    .lean()
    .exec()) as T[];
  return {
    ...assemble(docs, window, (doc) => {
      const record = doc as T & Record<string, unknown>;
      return encodeCursor(
        sortField === '_id' ? record._id : record[sortField],
        record._id,
      );
    }),
    totalCount: () => model.countDocuments(filter).exec(),
  };
}

/**
 * Cuts a page out of a list already loaded in memory (through a group
 * loader), with the same cursors, arguments and shape as {@link paginate}.
 * Used where a per-parent query would defeat batching and each parent has few
 * items. `items` must be sorted by (`sortField`, `_id`) in `direction`.
 */
export function paginateLoaded<T extends { _id: string }>(
  items: readonly T[],
  args: PageArgs,
  sortField: keyof T & string,
  direction: 1 | -1 = -1,
): Page<T> {
  const window = pageWindow(args);
  const comparable = (value: unknown): number | string =>
    value instanceof Date ? value.getTime() : String(value);
  // Sign of (item - cursor) in list order.
  const compare = (item: T, cursor: [unknown, unknown]): number => {
    const v = comparable(item[sortField]);
    const c = comparable(cursor[0]);
    const id = String(cursor[1]);
    const cmp =
      v < c ? -1 : v > c ? 1 : item._id < id ? -1 : item._id > id ? 1 : 0;
    return cmp * direction;
  };
  const inRange = items.filter(
    (item) =>
      (!window.after || compare(item, window.after) > 0) &&
      (!window.before || compare(item, window.before) < 0),
  );
  const ordered = window.backward ? [...inRange].reverse() : inRange;
  return {
    ...assemble(ordered.slice(0, window.size + 1), window, (item) =>
      encodeCursor(item[sortField], item._id),
    ),
    totalCount: () => Promise.resolve(items.length),
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
