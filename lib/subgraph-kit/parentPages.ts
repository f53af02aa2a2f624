/**
 * Pages of a list for many parents at once (the businesses of each district,
 * the enrolments of each workshop, the readings of each sensor): one
 * aggregation per batch of parents instead of one query per parent (N+1),
 * with the same pages, cursors, order and `totalCount` as {@link paginate}
 * gives each parent on its own.
 */
import DataLoader from 'dataloader';
import { EJSON } from 'bson';
import type { Model } from 'mongoose';
import type { Aggregatable } from './loaders.js';
import {
  type Page,
  type PageArgs,
  encodeCursor,
  pageWindow,
  paginate,
} from './pagination.js';

/** Options of {@link createParentPages}. */
export interface ParentPagesOptions {
  /** The field that holds the parent's key, e.g. `district` or `device.id`. */
  keyField: string;
  /**
   * Field the list is ordered by; `_id` breaks ties (as {@link paginate}).
   * @default '_id'
   */
  sortField?: string;
  /**
   * 1 ascending, -1 descending (newest first for time series).
   * @default 1
   */
  direction?: 1 | -1;
  /**
   * The parent key and `sortField` already identify a document (a unique
   * index says so, or a time series holds one reading per device and
   * instant). The batch's `$sort` then leaves the `_id` tie-break out, so that
   * an index on `{ keyField: 1, sortField: direction }` yields the order and
   * only the first `first + 1` entries of each parent are read (MongoDB's
   * DISTINCT_SCAN, which localdb does too: docs/localdb.md). Otherwise each
   * parent's matches are sorted to break ties by `_id`, as a per-parent page
   * does.
   * @default false
   */
  sortIsUnique?: boolean;
}

/**
 * Loads one parent's page of the documents matching `filter` besides the
 * parent key. Calls made in the same tick with the same page arguments and
 * filter are one aggregation; their `totalCount`s, when asked for, one more.
 */
export type ParentPages<V> = (
  parentKey: string,
  args: PageArgs,
  filter?: Record<string, unknown>,
) => Promise<Page<V>>;

/** Relaxed-free EJSON, so that a Date and its ISO string never share a signature. */
function signatureOf(value: unknown): string {
  return EJSON.stringify(value, { relaxed: false });
}

/**
 * Creates the per-request page loader of `model`'s documents keyed by
 * `options.keyField`. Forward pages (`first`/`after`) are batched: each
 * distinct (page size, cursor, filter) gets one DataLoader, whose batch is one
 * aggregation: `$match` on the keys (and filter and cursor), `$sort` by key
 * then the list's order, and `$group` with `$firstN` (MongoDB 5.2+) of
 * `first + 1` per key. `totalCount` is one `$group` count per batch of the
 * parents that ask for it. Backward pages (`last`/`before`) are rare and
 * stay one {@link paginate} per parent. Call it once per request, like every
 * loader ([DL]).
 */
export function createParentPages<V extends { _id: unknown }>(
  model: Model<V>,
  options: ParentPagesOptions,
): ParentPages<V> {
  const { keyField, sortIsUnique = false } = options;
  const sortField = options.sortField ?? '_id';
  const direction = options.direction ?? 1;
  const aggregatable: Aggregatable = model;
  const pageLoaders = new Map<string, DataLoader<string, Page<V>>>();
  const countLoaders = new Map<string, DataLoader<string, number>>();
  // The order within a parent, as paginate sorts; `_id` alone when it is the sort field.
  const order: Record<string, 1 | -1> =
    sortField === '_id'
      ? { _id: direction }
      : sortIsUnique
        ? { [sortField]: direction }
        : { [sortField]: direction, _id: direction };

  const countLoader = (filter: Record<string, unknown>) => {
    const signature = signatureOf(filter);
    let loader = countLoaders.get(signature);
    if (loader === undefined) {
      loader = new DataLoader<string, number>(async (keys) => {
        const rows = (await aggregatable
          .aggregate([
            { $match: { $and: [{ [keyField]: { $in: [...keys] } }, filter] } },
            { $group: { _id: `$${keyField}`, count: { $sum: 1 } } },
          ])
          .exec()) as { _id: string; count: number }[];
        const byKey = new Map(rows.map((row) => [row._id, row.count]));
        return keys.map((key) => byKey.get(key) ?? 0);
      });
      countLoaders.set(signature, loader);
    }
    return loader;
  };

  // async: a bad argument is a rejected page, as from paginate.
  return async (parentKey, args, filter = {}) => {
    const window = pageWindow(args);
    if (window.backward || window.before !== undefined)
      return paginate(model, { ...filter, [keyField]: parentKey }, args, {
        sortField,
        direction,
      });
    const size = window.size;
    const signature = signatureOf([size, args.after ?? null, filter]);
    let loader = pageLoaders.get(signature);
    if (loader === undefined) {
      // The documents after the cursor in list order, as paginate bounds them.
      const op = direction === 1 ? '$gt' : '$lt';
      const bound: Record<string, unknown>[] = [];
      if (window.after !== undefined) {
        const [value, id] = window.after;
        bound.push(
          sortField === '_id'
            ? { _id: { [op]: id } }
            : {
                $or: [
                  { [sortField]: { [op]: value } },
                  { [sortField]: value, _id: { [op]: id } },
                ],
              },
        );
      }
      const counts = countLoader(filter);
      loader = new DataLoader<string, Page<V>>(async (keys) => {
        const rows = (await aggregatable
          .aggregate([
            {
              $match: {
                $and: [{ [keyField]: { $in: [...keys] } }, filter, ...bound],
              },
            },
            // Key first: an index on { key, sortField } then serves every parent in turn.
            { $sort: { [keyField]: 1, ...order } },
            {
              $group: {
                _id: `$${keyField}`,
                docs: { $firstN: { input: '$$ROOT', n: size + 1 } },
              },
            },
          ])
          .exec()) as { _id: string; docs: V[] }[];
        const byKey = new Map(rows.map((row) => [row._id, row.docs]));
        return keys.map((key): Page<V> => {
          const docs = byKey.get(key) ?? [];
          const hasNextPage = docs.length > size;
          const nodes = hasNextPage ? docs.slice(0, size) : docs;
          const edges = nodes.map((node) => {
            const record = node as V & Record<string, unknown>;
            return {
              cursor: encodeCursor(
                sortField === '_id' ? record._id : record[sortField],
                record._id,
              ),
              node,
            };
          });
          return {
            nodes,
            edges,
            pageInfo: {
              hasNextPage,
              hasPreviousPage: window.after !== undefined,
              startCursor: edges[0]?.cursor ?? null,
              endCursor: edges.at(-1)?.cursor ?? null,
            },
            totalCount: () => counts.load(key),
          };
        });
      });
      pageLoaders.set(signature, loader);
    }
    return loader.load(parentKey);
  };
}
