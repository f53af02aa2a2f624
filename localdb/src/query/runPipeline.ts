// Internal to localdb: runs aggregation stages through mingo in slices, so a long pipeline lets other connections in.
import type { Document } from 'bson';
import { toCommandError } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { ProcessingMode, createAggregator } from './mingo.js';
import type { YieldPoint } from './yieldPoint.js';

/** Documents handed to mingo at a time by a stage that treats each document alone. */
const CHUNK = 256;

/** Stages whose output for a document depends on that document only, in order. */
const PER_DOCUMENT = new Set([
  '$match',
  '$project',
  '$addFields',
  '$set',
  '$unset',
  '$unwind',
  '$replaceRoot',
  '$replaceWith',
  '$redact',
  '$lookup',
  '$graphLookup',
]);

/**
 * Stages that neither change the documents they receive nor pass on references into
 * them that a later stage could change: `$group` here may hand out sub-documents
 * (`$first: '$nested'`), which is safe only because no stage after it writes.
 */
const READ_ONLY = new Set([
  '$match',
  '$group',
  '$sort',
  '$skip',
  '$limit',
  '$count',
  '$sortByCount',
]);

/** Options every stage's mingo aggregator gets (collection resolver, `let` variables, processing mode). */
export type StageOptions = Parameters<typeof createAggregator>[1];

interface Split {
  /** `$group` run on each chunk. */
  partial: Document;
  /** Stages combining partial results into one partial result of the same shape. */
  merge: Document[];
  /** Stages finishing the merged fields (averages, concatenated pushes). */
  finish: Document[];
}

/**
 * Splits a `$group` whose accumulators combine across chunks ($sum, $count, $avg, $min,
 * $max, $first, $last, $push, $addToSet, $mergeObjects) into a per-chunk group and a
 * merge; undefined for any other accumulator (the group then runs in one go).
 */
function splitGroup(spec: unknown): Split | undefined {
  if (!isPlainObject(spec) || !('_id' in spec)) return undefined;
  const partial: Document = { _id: spec['_id'] };
  const merge: Document = { _id: '$_id' };
  const finish: Document = {};
  const normalize: Document = {};
  const helpers: string[] = [];
  for (const [name, acc] of Object.entries(spec)) {
    if (name === '_id') continue;
    if (!isPlainObject(acc) || Object.keys(acc).length !== 1) return undefined;
    const [op] = Object.keys(acc) as [string];
    const arg = acc[op];
    const p = `$${name}`;
    switch (op) {
      case '$sum':
      case '$min':
      case '$max':
      case '$first':
      case '$last':
      case '$mergeObjects':
        partial[name] = { [op]: arg };
        merge[name] = { [op === '$sum' ? '$sum' : op]: p };
        break;
      case '$count':
        partial[name] = { $sum: 1 };
        merge[name] = { $sum: p };
        break;
      case '$avg': {
        // Sum and count of the numeric values (what $avg averages), divided at the end.
        const n = `${name}__localdbCount`;
        partial[name] = { $sum: arg };
        partial[n] = { $sum: { $cond: [{ $isNumber: arg }, 1, 0] } };
        merge[name] = { $sum: p };
        merge[n] = { $sum: `$${n}` };
        finish[name] = {
          $cond: [{ $eq: [`$${n}`, 0] }, null, { $divide: [p, `$${n}`] }],
        };
        helpers.push(n);
        break;
      }
      case '$push':
        partial[name] = { $push: arg };
        merge[name] = { $push: p };
        normalize[name] = {
          $reduce: {
            input: p,
            initialValue: [],
            in: { $concatArrays: ['$$value', '$$this'] },
          },
        };
        break;
      case '$addToSet':
        partial[name] = { $addToSet: arg };
        merge[name] = { $push: p };
        normalize[name] = {
          $reduce: {
            input: p,
            initialValue: [],
            in: { $setUnion: ['$$value', '$$this'] },
          },
        };
        break;
      default:
        return undefined;
    }
  }
  return {
    partial: { $group: partial },
    merge: [
      { $group: merge },
      ...(Object.keys(normalize).length > 0 ? [{ $set: normalize }] : []),
    ],
    finish: [
      ...(Object.keys(finish).length > 0 ? [{ $set: finish }] : []),
      ...(helpers.length > 0 ? [{ $unset: helpers }] : []),
    ],
  };
}

type Aggregator = ReturnType<typeof createAggregator>;

function compile(stages: Document[], options: StageOptions): Aggregator {
  try {
    return createAggregator(stages, options);
  } catch (err) {
    throw toCommandError(err);
  }
}

function runStages(
  stages: Document[] | Aggregator,
  docs: Document[],
  options: StageOptions,
): Document[] {
  try {
    const aggregator = Array.isArray(stages)
      ? compile(stages, options)
      : stages;
    return aggregator.run(docs) as Document[];
  } catch (err) {
    throw toCommandError(err);
  }
}

async function inChunks(
  stage: Document,
  docs: Document[],
  options: StageOptions,
  yieldPoint: YieldPoint,
): Promise<Document[]> {
  const aggregator = compile([stage], options);
  if (docs.length <= CHUNK) return runStages(aggregator, docs, options);
  const out: Document[] = [];
  for (let i = 0; i < docs.length; i += CHUNK) {
    for (const d of runStages(aggregator, docs.slice(i, i + CHUNK), options))
      out.push(d);
    await yieldPoint.maybePause();
  }
  return out;
}

/**
 * `{ $group: { _id: <constant>, n: { $sum: <number> } } }` (what countDocuments sends):
 * the count is the input's length, without handing every document to mingo. Undefined
 * for any other group.
 */
function countGroup(spec: unknown, docs: Document[]): Document[] | undefined {
  if (!isPlainObject(spec)) return undefined;
  const id = spec['_id'];
  if (
    !(id === null || typeof id === 'number' || typeof id === 'boolean') &&
    !(typeof id === 'string' && !id.startsWith('$'))
  )
    return undefined;
  const out: Document = { _id: id };
  for (const [name, acc] of Object.entries(spec)) {
    if (name === '_id') continue;
    const keys = isPlainObject(acc) ? Object.keys(acc) : [];
    const by = isPlainObject(acc) ? acc['$sum'] : undefined;
    if (keys.length !== 1 || typeof by !== 'number') return undefined;
    out[name] = by * docs.length;
  }
  // A group over no documents has no output.
  return docs.length === 0 ? [] : [out];
}

/**
 * A `$group` in slices: each chunk is grouped, and the partial groups are merged into a
 * running result once they outnumber it (so the merging stays small per slice when
 * there are few groups, and costs O(n log n) in all when there are many).
 */
async function groupInChunks(
  split: Split,
  docs: Document[],
  options: StageOptions,
  yieldPoint: YieldPoint,
): Promise<Document[]> {
  const partial = compile([split.partial], options);
  const merge = compile(split.merge, options);
  let merged: Document[] = [];
  let pending: Document[] = [];
  for (let i = 0; i < docs.length; i += CHUNK) {
    for (const d of runStages(partial, docs.slice(i, i + CHUNK), options))
      pending.push(d);
    if (pending.length >= Math.max(merged.length, CHUNK)) {
      merged = runStages(merge, [...merged, ...pending], options);
      pending = [];
    }
    await yieldPoint.maybePause();
  }
  return runStages(
    [...split.merge, ...split.finish],
    [...merged, ...pending],
    options,
  );
}

/**
 * Runs `stages` over `input` as mingo would in one go, but in slices: per-document stages
 * take chunks of 512 documents, a `$group` of combinable accumulators groups each chunk
 * and then merges the partial groups, and between chunks the command pauses when its
 * time slice is used up. Other stages (`$sort`, `$bucket`, `$facet`, window functions...)
 * run over their whole input at once.
 */
export async function runPipeline(
  stages: readonly Document[],
  input: Document[],
  stageOptions: StageOptions,
  yieldPoint: YieldPoint,
): Promise<Document[]> {
  let docs = input;
  const readOnly = stages.every((stage) =>
    READ_ONLY.has(Object.keys(stage)[0] ?? ''),
  );
  for (let i = 0; i < stages.length; i += 1) {
    const stage = stages[i] as Document;
    // Only the first stage sees stored documents; later ones work on mingo's own copies.
    // A pipeline of stages that never modify what they receive needs no copy at all
    // (copying 100,000 documents costs more than grouping them).
    const options =
      i === 0 && !readOnly
        ? stageOptions
        : { ...stageOptions, processingMode: ProcessingMode.CLONE_OFF };
    const op = Object.keys(stage)[0] ?? '';
    if (docs.length > CHUNK && PER_DOCUMENT.has(op)) {
      docs = await inChunks(stage, docs, options, yieldPoint);
      continue;
    }
    const counted =
      op === '$group' ? countGroup(stage['$group'], docs) : undefined;
    if (counted !== undefined) {
      docs = counted;
      continue;
    }
    const split = op === '$group' ? splitGroup(stage['$group']) : undefined;
    if (split !== undefined && docs.length > CHUNK) {
      docs = await groupInChunks(split, docs, options, yieldPoint);
      continue;
    }
    docs = runStages([stage], docs, options);
    await yieldPoint.maybePause();
  }
  return docs;
}
