// Internal to localdb: `$geoWithin`, `$geoIntersects` (and the refusal of a nested `$near`) as mingo query operators.
import { CommandError, ErrorCode } from '../errors.js';
import {
  geometriesAt,
  intersects,
  parseIntersects,
  parseWithin,
  within,
} from './geo.js';

type Predicate = (doc: unknown) => boolean;

function badValue(err: unknown): CommandError {
  return new CommandError(ErrorCode.BadValue, (err as Error).message);
}

/** `{ field: { $geoWithin: <shape> } }`: every stored geometry of the field is inside the shape (any one for an array). */
export function $geoWithin(selector: string, value: unknown): Predicate {
  let shape: ReturnType<typeof parseWithin>;
  try {
    shape = parseWithin(value);
  } catch (err) {
    throw badValue(err);
  }
  return (doc) => geometriesAt(doc, selector).some((g) => within(g, shape));
}

/** `{ field: { $geoIntersects: { $geometry } } }`. */
export function $geoIntersects(selector: string, value: unknown): Predicate {
  let geometry: ReturnType<typeof parseIntersects>;
  try {
    geometry = parseIntersects(value);
  } catch (err) {
    throw badValue(err);
  }
  return (doc) =>
    geometriesAt(doc, selector).some((g) => intersects(g, geometry));
}

/** `$within` is the old name of `$geoWithin`. */
export const $within = $geoWithin;

function nestedNear(): Predicate {
  // The planner takes a top-level $near out of the filter; one left for mingo is nested.
  throw new CommandError(ErrorCode.BadValue, 'geoNear must be top-level expr');
}

/** A `$near` mingo sees is nested (under `$or`, `$not`, `$elemMatch`): refused as MongoDB does. */
export const $near = nestedNear;
/** As `$near`. */
export const $nearSphere = nestedNear;
