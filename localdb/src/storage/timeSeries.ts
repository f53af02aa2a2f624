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

/** Whether `path` (dotted) is the meta field or inside it. */
function isMetaPath(path: string, metaField: string): boolean {
  return path === metaField || path.startsWith(`${metaField}.`);
}

/** Every field path a query filter tests (through $and, $or, $nor). */
function queryPaths(filter: Document, out: string[] = []): string[] {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (Array.isArray(value))
        for (const part of value)
          if (isPlainObject(part)) queryPaths(part, out);
    } else if (key === '$expr' || key === '$where' || key === '$text') {
      // Not a field of the meta field: MongoDB refuses these too.
      out.push(key);
    } else if (!key.startsWith('$')) out.push(key);
  }
  return out;
}

function refuseNonMetaQuery(ts: TimeSeriesOptions, query: Document): void {
  const metaField = ts.metaField as string;
  if (queryPaths(query).some((path) => !isMetaPath(path, metaField)))
    throw new CommandError(
      ErrorCode.InvalidOptions,
      `Cannot perform an update or delete on a time-series collection when querying on a field that is not the metaField '${metaField}'`,
    );
}

/**
 * Refuses an update statement MongoDB 7.0 refuses on a time-series collection
 * (the city's deployments run 7.0; 8.0 relaxes some of this): every update
 * needs a meta field, `multi: true`, no upsert, a filter on the meta field
 * only and changes to the meta field only.
 * See https://www.mongodb.com/docs/v7.0/core/timeseries/timeseries-limitations/#updates
 */
export function checkTimeSeriesUpdate(
  ts: TimeSeriesOptions,
  statement: {
    query: Document;
    update: unknown;
    multi: boolean;
    upsert: boolean;
  },
): void {
  if (ts.metaField === undefined)
    throw new CommandError(
      ErrorCode.InvalidOptions,
      'Cannot perform an update on a time-series collection that does not have a metaField',
    );
  if (!statement.multi)
    throw new CommandError(
      ErrorCode.InvalidOptions,
      'Cannot perform a non-multi update on a time-series collection',
    );
  if (statement.upsert)
    throw new CommandError(
      ErrorCode.InvalidOptions,
      'Cannot perform an upsert on a time-series collection',
    );
  refuseNonMetaQuery(ts, statement.query);
  const metaField = ts.metaField;
  const update = statement.update;
  const paths: string[] = [];
  if (Array.isArray(update) || !isPlainObject(update)) paths.push('');
  else
    for (const [op, fields] of Object.entries(update)) {
      if (!op.startsWith('$') || !isPlainObject(fields)) paths.push(op);
      else paths.push(...Object.keys(fields));
    }
  if (paths.some((path) => !isMetaPath(path, metaField)))
    throw new CommandError(
      ErrorCode.InvalidOptions,
      `Cannot perform an update on a time-series collection which updates a field that is not the metaField '${metaField}'`,
    );
}
