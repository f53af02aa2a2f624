// Internal to localdb: rewrites aggregation stages where mingo and MongoDB disagree.
import type { Document } from 'bson';
import { isPlainObject } from '../isPlainObject.js';

/**
 * `$bucket` as MongoDB defines it: a `$group` on a `$switch` over `[lower, upper)`
 * ranges, then `$sort` by `_id`, emitting only non-empty buckets. mingo 7.2.7's own
 * `$bucket` puts a value equal to an inner boundary in the bucket below and emits
 * empty buckets, so localdb expresses it with mingo's `$group`/`$switch`/`$sort` instead.
 * See https://www.mongodb.com/docs/manual/reference/operator/aggregation/bucket/
 */
function bucketStages(spec: Document): Document[] {
  const boundaries = Array.isArray(spec['boundaries'])
    ? (spec['boundaries'] as unknown[])
    : [];
  const groupBy = spec['groupBy'];
  const branches = boundaries.slice(0, -1).map((lower, i) => ({
    case: {
      $and: [{ $gte: [groupBy, lower] }, { $lt: [groupBy, boundaries[i + 1]] }],
    },
    then: lower,
  }));
  const idExpr: Document = { $switch: { branches } };
  if (spec['default'] !== undefined)
    (idExpr['$switch'] as Document)['default'] = spec['default'];
  const output = isPlainObject(spec['output'])
    ? spec['output']
    : { count: { $sum: 1 } };
  return [{ $group: { _id: idExpr, ...output } }, { $sort: { _id: 1 } }];
}

/** Returns the pipeline with MongoDB-faithful replacements, recursing into sub-pipelines. */
export function rewritePipeline(pipeline: readonly Document[]): Document[] {
  const out: Document[] = [];
  for (const stage of pipeline) {
    const [op] = Object.keys(stage);
    const arg = op === undefined ? undefined : stage[op];
    if (op === '$bucket' && isPlainObject(arg)) {
      out.push(...bucketStages(arg));
    } else if (op === '$facet' && isPlainObject(arg)) {
      const facets: Document = {};
      for (const [name, sub] of Object.entries(arg)) {
        facets[name] = Array.isArray(sub)
          ? rewritePipeline(sub as Document[])
          : sub;
      }
      out.push({ $facet: facets });
    } else if (
      (op === '$lookup' || op === '$unionWith') &&
      isPlainObject(arg) &&
      Array.isArray(arg['pipeline'])
    ) {
      out.push({
        [op]: {
          ...arg,
          pipeline: rewritePipeline(arg['pipeline'] as Document[]),
        },
      });
    } else {
      out.push(stage);
    }
  }
  return out;
}
