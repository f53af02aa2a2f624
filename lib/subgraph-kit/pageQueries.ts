/**
 * Page queries bound to a model, for the departments' query modules
 * (`src/queries`): `businesses: pageQuery(models.Business)` instead of
 * spelling out the same `(filter, args) => paginate(model, filter, args)`.
 */
import type { Model, QueryFilter } from 'mongoose';
import {
  paginate,
  paginateTimeSeries,
  type Page,
  type PageArgs,
  type PaginateOptions,
  type TimeRange,
} from './pagination.js';

/** A page of `model` matching a filter (see {@link paginate}). */
export function pageQuery<T extends { _id: unknown }>(
  model: Model<T>,
  options: PaginateOptions = {},
): (filter: QueryFilter<T>, args: PageArgs) => Promise<Page<T>> {
  return (filter, args) => paginate(model, filter, args, options);
}

/** A page of a time series of `model`, newest first (see {@link paginateTimeSeries}). */
export function timeSeriesQuery<T extends { _id: unknown }>(
  model: Model<T>,
  timeField = 'observedAt',
): (
  filter: QueryFilter<T>,
  args: PageArgs & { range?: TimeRange | null | undefined },
) => Promise<Page<T>> {
  return (filter, args) => paginateTimeSeries(model, filter, args, timeField);
}
