// Internal to localdb: the aggregate command.
import type { Document } from 'bson';
import { cloneDocument } from '../bsonCodec.js';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { ProcessingMode } from '../query/mingo.js';
import { parseCollation } from '../query/collation.js';
import { geoNearFind } from '../query/geoNearStage.js';
import { containsNear, nearNotAllowedError } from '../query/near.js';
import { rewritePipeline } from '../query/rewritePipeline.js';
import { runPipeline } from '../query/runPipeline.js';
import { runFindAsync, type FindOptions } from '../query/runFind.js';
import { YieldPoint } from '../query/yieldPoint.js';
import { collectionArg, docsArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';
import { queryPlanner } from './explain.js';

/** Stages that write to collections; mingo would write into its own arrays, not the store. */
const WRITE_STAGES = new Set(['$out', '$merge']);
/** Stages needing server state localdb does not have. */
const UNSUPPORTED_STAGES = new Set([
  '$changeStream',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$search',
  '$vectorSearch',
]);

/** The leading stages a find can do: `$match`, then `$sort`, then `$skip`/`$limit`. */
export function leadingFind(pipeline: readonly Document[]): {
  filter: Document;
  options: FindOptions;
  consumed: number;
} {
  let i = 0;
  let filter: Document = {};
  const options: FindOptions = {};
  const stage = (n: number): [string, unknown] | undefined => {
    const s = pipeline[n];
    if (s === undefined) return undefined;
    const key = Object.keys(s)[0];
    return key === undefined ? undefined : [key, s[key]];
  };
  const first = stage(i);
  if (first?.[0] === '$match' && isPlainObject(first[1])) {
    filter = first[1];
    i += 1;
  }
  const sort = stage(i);
  if (sort?.[0] === '$sort' && isPlainObject(sort[1])) {
    options.sort = sort[1];
    i += 1;
  }
  for (;;) {
    const next = stage(i);
    if (
      next?.[0] === '$skip' &&
      typeof next[1] === 'number' &&
      options.limit === undefined
    ) {
      options.skip = (options.skip ?? 0) + next[1];
    } else if (
      next?.[0] === '$limit' &&
      typeof next[1] === 'number' &&
      next[1] > 0 &&
      options.limit === undefined
    ) {
      options.limit = next[1];
    } else {
      break;
    }
    i += 1;
  }
  return { filter, options, consumed: i };
}

/**
 * For `$sort` then `$group: { _id: '$f', ...: { $first | $firstN } }` with the sort led by
 * `f`: the group only needs the first n documents of each `f` value.
 */
function firstPerValue(
  group: Document | undefined,
  options: FindOptions,
): { field: string; n: number } | undefined {
  const spec = group?.['$group'];
  const sort = options.sort;
  if (!isPlainObject(spec) || sort === undefined || options.limit !== undefined)
    return undefined;
  const id = spec['_id'];
  if (typeof id !== 'string' || !id.startsWith('$') || id.startsWith('$$'))
    return undefined;
  const field = id.slice(1);
  if (Object.keys(sort)[0] !== field) return undefined;
  let n = 0;
  for (const [name, acc] of Object.entries(spec)) {
    if (name === '_id') continue;
    if (!isPlainObject(acc)) return undefined;
    const op = Object.keys(acc)[0];
    if (op === '$first') n = Math.max(n, 1);
    else if (op === '$firstN') {
      const arg = acc['$firstN'];
      const count = isPlainObject(arg) ? arg['n'] : undefined;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
        return undefined;
      n = Math.max(n, count);
    } else return undefined;
  }
  return n === 0 ? undefined : { field, n };
}

/** `aggregate` with a cursor reply; stages and operators are mingo's. */
export const aggregate: CommandHandler = async (command, ctx) => {
  const target = command['aggregate'];
  const pipeline = rewritePipeline(docsArg(command, 'pipeline'));
  for (const [i, stage] of pipeline.entries()) {
    const op = Object.keys(stage)[0] ?? '';
    if (op === '$geoNear' && i > 0)
      throw new CommandError(
        ErrorCode.Location40602,
        '$geoNear is only valid as the first stage in a pipeline.',
      );
    // Only $geoNear sorts by distance; a $near elsewhere (e.g. countDocuments) is refused.
    if (op !== '$geoNear' && containsNear(stage)) throw nearNotAllowedError();
    if (WRITE_STAGES.has(op) || UNSUPPORTED_STAGES.has(op)) {
      throw new CommandError(
        ErrorCode.NotImplemented,
        `localdb does not support the ${op} stage`,
      );
    }
  }
  if (command['explain'] === true) {
    return {
      queryPlanner: queryPlanner(command, ctx),
      serverInfo: { host: 'localdb', version: '7.0.0' },
    };
  }
  const cursorOpt = command['cursor'];
  if (!isPlainObject(cursorOpt)) {
    throw new CommandError(
      ErrorCode.FailedToParse,
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  // `aggregate: 1` runs a collection-less pipeline ($documents); there is no input.
  const name = target === 1 ? undefined : collectionArg(command, 'aggregate');
  const ns = `${ctx.db}.${name ?? '$cmd.aggregate'}`;
  // A leading $match, $sort, $skip and $limit go through runFind so they can use an index.
  let stages = pipeline;
  let input: Document[] = [];
  const yieldPoint = new YieldPoint();
  const collation = parseCollation(command['collation']);
  const variables = isPlainObject(command['let']) ? command['let'] : undefined;
  const geoNear = pipeline[0]?.['$geoNear'];
  if (geoNear !== undefined) {
    const coll =
      name === undefined ? undefined : ctx.store.getCollection(ctx.db, name);
    const { filter, options } = geoNearFind(geoNear, coll);
    options.collation = collation;
    options.variables = variables;
    stages = pipeline.slice(1);
    input = await runFindAsync(coll, filter, options, yieldPoint);
  } else if (name !== undefined) {
    const pushed = leadingFind(pipeline);
    const perValue = firstPerValue(pipeline[pushed.consumed], pushed.options);
    if (perValue !== undefined) pushed.options.firstPerValue = perValue;
    if (command['hint'] !== undefined) pushed.options.hint = command['hint'];
    stages = pipeline.slice(pushed.consumed);
    pushed.options.nearNotAllowed = true;
    pushed.options.collation = collation;
    pushed.options.variables = variables;
    input = await runFindAsync(
      ctx.store.getCollection(ctx.db, name),
      pushed.filter,
      pushed.options,
      yieldPoint,
    );
  }
  const results = await runPipeline(
    stages,
    input,
    {
      // mingo mutates nested input objects in stages such as $set; stored documents must not change.
      processingMode: ProcessingMode.CLONE_INPUT,
      ...(collation === undefined ? {} : { collation }),
      ...(variables === undefined ? {} : { variables }),
      collectionResolver: (from: string) =>
        [...(ctx.store.getCollection(ctx.db, from)?.values() ?? [])].map((d) =>
          cloneDocument(d),
        ),
    },
    yieldPoint,
  );
  const batchSize =
    typeof cursorOpt['batchSize'] === 'number'
      ? cursorOpt['batchSize']
      : undefined;
  const { batch, id } = ctx.cursors.open(ns, results, batchSize, false);
  return { cursor: { firstBatch: batch, id, ns } };
};
