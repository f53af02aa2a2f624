/**
 * Pages of a time series for many parents at once (the readings of each sensor
 * in a list of sensors): {@link createParentPages} newest first within a time
 * range, with the same page shape and cursors as {@link paginateTimeSeries}.
 */
import type { Model } from 'mongoose';
import { BadUserInputError } from '../runtime/errors.js';
import { createParentPages } from './parentPages.js';
import {
  type Page,
  type PageArgs,
  type TimeRange,
  timeRangeFilter,
} from './pagination.js';

/** The arguments of a per-parent time-series field. */
export type TimeSeriesPageArgs = PageArgs & {
  range?: TimeRange | null | undefined;
};

/** Loads one parent's page (of the documents matching `filter` too); calls made in the same tick are batched into one aggregation. */
export type TimeSeriesPages<V> = (
  parentKey: string,
  args: TimeSeriesPageArgs,
  filter?: Record<string, unknown>,
) => Promise<Page<V>>;

/** Options of {@link createTimeSeriesPages}. */
export interface TimeSeriesPagesOptions {
  /**
   * Whether `last`/`before` are answered (one {@link paginateTimeSeries} per
   * parent) rather than refused with BAD_USER_INPUT. Refused for the readings:
   * behind a list of 128 sensors that would be 128 queries.
   * @default false
   */
  pagesBackward?: boolean;
  /**
   * See `sortIsUnique` of createParentPages (parentPages.ts): true where a parent has one
   * document per instant (a device's readings).
   * @default true
   */
  sortIsUnique?: boolean;
}

/**
 * Creates the per-request page loader of a time series keyed by `keyField`
 * (e.g. `sensorId`): the first page of 8 sensors × 16 districts is one
 * aggregation, which an index on `{ key: 1, time: -1 }` answers reading only
 * the first `first + 1` entries per key (a device has one reading per instant,
 * so `_id` never breaks a tie: `sortIsUnique`). Call it once per request,
 * like every loader ([DL]).
 */
export function createTimeSeriesPages<V extends { _id: unknown }>(
  model: Model<V>,
  keyField: string,
  timeField = 'observedAt',
  options: TimeSeriesPagesOptions = {},
): TimeSeriesPages<V> {
  const pages = createParentPages(model, {
    keyField,
    sortField: timeField,
    direction: -1,
    sortIsUnique: options.sortIsUnique ?? true,
  });
  return (parentKey, args, filter = {}) => {
    // TODO(v2): backward pages (last/before) of readings; refused for now.
    if (!options.pagesBackward && (args.last != null || args.before != null))
      throw new BadUserInputError(
        'This list pages forward only: use "first" and "after".',
        { argumentName: args.last != null ? 'last' : 'before' },
      );
    const { range, ...page } = args;
    return pages(parentKey, page, {
      ...filter,
      ...timeRangeFilter(timeField, range),
    });
  };
}
