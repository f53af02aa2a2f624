/**
 * Pages of a time series for many parents at once (the readings of each sensor
 * in a list of sensors): one aggregation per batch instead of one query per
 * parent, with the same page shape and cursors as {@link paginateTimeSeries}.
 */
import DataLoader from 'dataloader';
import { BadUserInputError } from '../runtime/errors.js';
import type { Aggregatable } from './loaders.js';
import {
  type Page,
  type PageArgs,
  type TimeRange,
  decodeCursor,
  encodeCursor,
  pageSize,
  timeRangeFilter,
} from './pagination.js';

/** The model surface {@link createTimeSeriesPages} needs (a mongoose Model satisfies it). */
export interface TimeSeriesModel extends Aggregatable {
  countDocuments(filter: Record<string, unknown>): {
    exec(): Promise<number>;
  };
}

/** The arguments of a per-parent time-series field. */
export type TimeSeriesPageArgs = PageArgs & {
  range?: TimeRange | null | undefined;
};

/** Loads one parent's page; calls made in the same tick are batched into one aggregation. */
export type TimeSeriesPages<V> = (
  parentKey: string,
  args: TimeSeriesPageArgs,
) => Promise<Page<V>>;

/** Newest first, `_id` breaking ties, as paginateTimeSeries orders. */
function newestFirst<V extends { _id: unknown }>(
  timeField: string,
): (a: V, b: V) => number {
  return (a, b) => {
    const ta = (a as Record<string, unknown>)[timeField] as Date;
    const tb = (b as Record<string, unknown>)[timeField] as Date;
    const d = tb.getTime() - ta.getTime();
    if (d !== 0) return d;
    const ia = String(a._id);
    const ib = String(b._id);
    return ia < ib ? 1 : ia > ib ? -1 : 0;
  };
}

/**
 * Creates the per-request page loader of a time series keyed by `keyField`
 * (e.g. `sensorId`). Each distinct set of page arguments gets one DataLoader, so
 * the first page of 8 sensors × 16 districts is one aggregation:
 * `$match` on the keys (and range and cursor), `$sort` by key then time, and
 * `$group` with `$firstN` (MongoDB 5.2+), which an index on `{ key: 1, time: -1 }`
 * answers reading only the first `first + 1` entries per key. Call it once per
 * request, like every loader ([DL]).
 */
export function createTimeSeriesPages<V extends { _id: unknown }>(
  model: TimeSeriesModel,
  keyField: string,
  timeField = 'observedAt',
): TimeSeriesPages<V> {
  const loaders = new Map<string, DataLoader<string, Page<V>>>();
  const order = newestFirst<V>(timeField);
  return (parentKey, args) => {
    // TODO(v2): backward pages (last/before) batched too; refused for now.
    if (args.last != null || args.before != null)
      throw new BadUserInputError(
        'This list pages forward only: use "first" and "after".',
        { argumentName: args.last != null ? 'last' : 'before' },
      );
    const size = pageSize(args.first);
    const range = timeRangeFilter(timeField, args.range);
    const signature = JSON.stringify([size, args.after ?? null, args.range]);
    let loader = loaders.get(signature);
    if (loader === undefined) {
      const after: Record<string, unknown> = {};
      if (args.after) {
        const [value, id] = decodeCursor(args.after);
        after['$or'] = [
          { [timeField]: { $lt: value } },
          { [timeField]: value, _id: { $lt: id } },
        ];
      }
      loader = new DataLoader<string, Page<V>>(async (keys) => {
        const rows = (await model
          .aggregate([
            { $match: { [keyField]: { $in: [...keys] }, ...range, ...after } },
            { $sort: { [keyField]: 1, [timeField]: -1 } },
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
          const docs = (byKey.get(key) ?? []).sort(order);
          const hasNextPage = docs.length > size;
          const nodes = hasNextPage ? docs.slice(0, size) : docs;
          const edges = nodes.map((node) => ({
            cursor: encodeCursor(
              (node as V & Record<string, unknown>)[timeField],
              node._id,
            ),
            node,
          }));
          return {
            nodes,
            edges,
            pageInfo: {
              hasNextPage,
              hasPreviousPage: Boolean(args.after),
              startCursor: edges[0]?.cursor ?? null,
              endCursor: edges.at(-1)?.cursor ?? null,
            },
            totalCount: () =>
              model.countDocuments({ [keyField]: key, ...range }).exec(),
          };
        });
      });
      loaders.set(signature, loader);
    }
    return loader.load(parentKey);
  };
}
