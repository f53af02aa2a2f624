/**
 * Pagination of a list already loaded in memory (through a group loader),
 * with the same cursors, page-size rule and shape as lib/subgraph-kit/pagination.ts's
 * `paginate`. Used where a per-parent query would defeat batching and each
 * parent has few items (the reports of one traffic light).
 * TODO(v2): move to lib/subgraph-kit/pagination.ts if a second department needs it.
 */
import {
  decodeCursor,
  encodeCursor,
  pageSize,
  type PageArgs,
} from '../../../lib/subgraph-kit/pagination.js';

/** One page, shaped as the schema's `...Connection` types. */
export interface LoadedPage<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  totalCount: number;
}

/**
 * Cuts a page out of `items`, which must already be sorted by
 * (`sortField`, `_id`) in `direction`, newest first when -1.
 */
export function paginateLoaded<T extends { _id: string }>(
  items: readonly T[],
  args: PageArgs,
  sortField: keyof T & string,
  direction: 1 | -1 = -1,
): LoadedPage<T> {
  const size = pageSize(args.first);
  const key = (item: T): [number | string, string] => {
    const value = item[sortField] as unknown;
    return [value instanceof Date ? value.getTime() : String(value), item._id];
  };
  let start = 0;
  if (args.after) {
    const [rawValue, rawId] = decodeCursor(args.after);
    const value =
      rawValue instanceof Date ? rawValue.getTime() : String(rawValue);
    const id = String(rawId);
    const after = (item: T) => {
      const [v, i] = key(item);
      const cmp = v < value ? -1 : v > value ? 1 : i < id ? -1 : i > id ? 1 : 0;
      return cmp * direction > 0;
    };
    start = items.findIndex(after);
    if (start === -1) start = items.length;
  }
  const nodes = items.slice(start, start + size);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: {
      hasNextPage: start + size < items.length,
      endCursor: last ? encodeCursor(last[sortField], last._id) : null,
    },
    totalCount: items.length,
  };
}
