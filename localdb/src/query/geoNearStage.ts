// Internal to localdb: the `$geoNear` aggregation stage, run as a near find with a distance field.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import type { Collection } from '../storage/Collection.js';
import { containsNear, parseNearPoint, type NearQuery } from './near.js';
import type { FindOptions } from './runFind.js';

function badValue(message: string): CommandError {
  return new CommandError(ErrorCode.BadValue, message);
}

function indexNotFound(message: string): CommandError {
  return new CommandError(ErrorCode.IndexNotFound, message);
}

/** The one field with an index of `type`, as MongoDB picks it for `$geoNear` without `key`. */
function soleGeoField(
  coll: Collection | undefined,
  type: string,
): string | undefined {
  const fields: string[] = [];
  for (const spec of coll?.indexSpecs() ?? []) {
    const key = spec['key'] as Record<string, unknown>;
    const field = Object.keys(key).find((f) => key[f] === type);
    if (field !== undefined) fields.push(field);
  }
  if (fields.length > 1)
    throw indexNotFound(
      `There is more than one ${type} index on ${coll?.ns ?? ''}; unsure which to use for $geoNear`,
    );
  return fields[0];
}

function setPath(doc: Document, path: string, value: unknown): Document {
  const [head, ...rest] = path.split('.');
  const key = head as string;
  if (rest.length === 0) return { ...doc, [key]: value };
  const inner = doc[key];
  return {
    ...doc,
    [key]: setPath(isPlainObject(inner) ? inner : {}, rest.join('.'), value),
  };
}

function numberOpt(spec: Document, name: string): number | undefined {
  const v = spec[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0)
    throw badValue(`${name} must be a nonnegative number`);
  return v;
}

function pathOpt(spec: Document, name: string): string | undefined {
  const v = spec[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '' || v.startsWith('$'))
    throw badValue(`$geoNear requires '${name}' to be a field path string`);
  return v;
}

/**
 * Turns `{ $geoNear: { near, distanceField, key, query, maxDistance, minDistance,
 * spherical, distanceMultiplier, includeLocs } }` into the filter and find options that
 * produce its output: documents nearest first, each with its distance (and location).
 */
export function geoNearFind(
  stage: unknown,
  coll: Collection | undefined,
): { filter: Document; options: FindOptions } {
  if (!isPlainObject(stage))
    throw badValue('$geoNear argument must be an object');
  for (const name of Object.keys(stage)) {
    if (
      ![
        'near',
        'distanceField',
        'key',
        'query',
        'maxDistance',
        'minDistance',
        'spherical',
        'distanceMultiplier',
        'includeLocs',
      ].includes(name)
    )
      throw badValue(`Unknown argument to $geoNear: ${name}`);
  }
  if (stage['near'] === undefined)
    throw badValue("$geoNear requires a 'near' option as an Array");
  const distanceField = pathOpt(stage, 'distanceField');
  if (distanceField === undefined)
    throw badValue("$geoNear requires a 'distanceField' option as a String");
  const includeLocs = pathOpt(stage, 'includeLocs');
  const query = stage['query'] ?? {};
  if (!isPlainObject(query)) throw badValue('query must be an object');
  if (containsNear(query))
    throw badValue('$geoNear does not allow $near or $nearSphere in its query');
  const { point, geoJson } = parseNearPoint(stage['near'], '$geoNear');
  let field: string | undefined;
  const key = stage['key'];
  if (key !== undefined) {
    if (typeof key !== 'string' || key === '')
      throw badValue("$geoNear parameter 'key' must be a non-empty string");
    field = key;
  } else {
    field = soleGeoField(coll, '2d') ?? soleGeoField(coll, '2dsphere');
    if (field === undefined && coll !== undefined)
      throw indexNotFound(
        '$geoNear requires a 2d or 2dsphere index, but none were found',
      );
  }
  const multiplier = numberOpt(stage, 'distanceMultiplier') ?? 1;
  const near: NearQuery = {
    field: field ?? '',
    point,
    geoJson,
    spherical: stage['spherical'] === true,
    max: numberOpt(stage, 'maxDistance'),
    min: numberOpt(stage, 'minDistance'),
    operator: '$geoNear',
  };
  return {
    filter: query,
    options: {
      near,
      nearOutput: (hit) => {
        let out = setPath(hit.doc, distanceField, hit.distance * multiplier);
        if (includeLocs !== undefined)
          out = setPath(out, includeLocs, hit.location);
        return out;
      },
    },
  };
}
