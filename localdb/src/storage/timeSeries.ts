// Internal to localdb: time-series collection options, validated and normalized as MongoDB does.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';

/** Normalized `timeseries` options of a collection. */
export interface TimeSeriesOptions {
  timeField: string;
  metaField?: string | undefined;
  granularity: 'seconds' | 'minutes' | 'hours';
}

const BUCKET_MAX_SPAN: Record<TimeSeriesOptions['granularity'], number> = {
  seconds: 3600,
  minutes: 86_400,
  hours: 2_592_000,
};

/**
 * Validates `create` options carrying `timeseries` and returns them as MongoDB stores
 * them (granularity defaulted, bucketMaxSpanSeconds filled in). Options without
 * `timeseries` are returned as they are, after checking `expireAfterSeconds` is not set.
 * See https://www.mongodb.com/docs/manual/reference/command/create/
 */
export function normalizeCreateOptions(options: Document): Document {
  const ts = options['timeseries'];
  const expire = options['expireAfterSeconds'];
  if (ts === undefined) {
    if (expire !== undefined)
      throw new CommandError(
        ErrorCode.InvalidOptions,
        "'expireAfterSeconds' is only supported on time-series collections",
      );
    return options;
  }
  if (!isPlainObject(ts))
    throw new CommandError(
      ErrorCode.TypeMismatch,
      "BSON field 'create.timeseries' is the wrong type, expected type 'object'",
    );
  const timeField = ts['timeField'];
  if (timeField === undefined)
    throw new CommandError(
      ErrorCode.Location40414,
      "BSON field 'create.timeseries.timeField' is missing but a required field",
    );
  if (
    typeof timeField !== 'string' ||
    timeField === '' ||
    timeField.includes('.')
  )
    throw new CommandError(
      ErrorCode.BadValue,
      "Invalid time-series 'timeField': must be a non-empty top-level field name",
    );
  const metaField = ts['metaField'];
  if (
    metaField !== undefined &&
    (typeof metaField !== 'string' ||
      metaField === '' ||
      metaField.includes('.'))
  )
    throw new CommandError(
      ErrorCode.BadValue,
      "Invalid time-series 'metaField': must be a non-empty top-level field name",
    );
  if (metaField === timeField)
    throw new CommandError(
      ErrorCode.BadValue,
      "The 'timeField' and 'metaField' options cannot be the same",
    );
  const granularity = ts['granularity'] ?? 'seconds';
  if (
    granularity !== 'seconds' &&
    granularity !== 'minutes' &&
    granularity !== 'hours'
  )
    throw new CommandError(
      ErrorCode.BadValue,
      `Invalid time-series granularity: ${String(granularity)}`,
    );
  for (const k of Object.keys(ts)) {
    if (
      ![
        'timeField',
        'metaField',
        'granularity',
        'bucketMaxSpanSeconds',
        'bucketRoundingSeconds',
      ].includes(k)
    )
      throw new CommandError(
        ErrorCode.Location40415,
        `BSON field 'create.timeseries.${k}' is an unknown field.`,
      );
  }
  if (
    expire !== undefined &&
    (typeof expire !== 'number' || !Number.isFinite(expire) || expire < 0)
  )
    throw new CommandError(
      ErrorCode.InvalidOptions,
      "'expireAfterSeconds' must be a non-negative number",
    );
  const normalized: Document = {
    timeField,
    ...(metaField === undefined ? {} : { metaField }),
    granularity,
    bucketMaxSpanSeconds: BUCKET_MAX_SPAN[granularity],
  };
  return { ...options, timeseries: normalized };
}

/** The time-series options of a collection's stored options, if it is one. */
export function timeSeriesOf(options: Document): TimeSeriesOptions | undefined {
  const ts = options['timeseries'];
  if (!isPlainObject(ts) || typeof ts['timeField'] !== 'string')
    return undefined;
  return ts as unknown as TimeSeriesOptions;
}

/** Throws MongoDB's error unless `doc` holds a date in the time field. */
export function checkTimeField(ts: TimeSeriesOptions, doc: Document): void {
  if (!(doc[ts.timeField] instanceof Date))
    throw new CommandError(
      ErrorCode.BadValue,
      `'${ts.timeField}' must be present and contain a valid BSON UTC datetime value`,
    );
}
