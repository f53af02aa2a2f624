// Internal to localdb: runs aggregation stages through mingo in slices, so a long pipeline lets other connections in.
import type { Document } from 'bson';
import { toCommandError } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { ProcessingMode, createAggregator } from './mingo.js';
import type { YieldPoint } from './yieldPoint.js';

/** Documents handed to mingo at a time by a stage that treats each document alone. */
const CHUNK = 512;

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

/** Options every stage's mingo aggregator gets (collection resolver, `let` variables, processing mode). */
export type StageOptions = Parameters<typeof createAggregator>[1];

interface Split {
  /** `$group` run on each chunk. */
  partial: Document;
  /** `$group` over the partial results. */
  merge: Document;
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
        finish[name] = {
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
        finish[name] = {
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
    merge: { $group: merge },
    finish: [
      ...(Object.keys(finish).length > 0 ? [{ $set: finish }] : []),
      ...(helpers.length > 0 ? [{ $unset: helpers }] : []),
    ],
  };
}

function runStages(
  stages: Document[],
  docs: Document[],
  options: StageOptions,
): Document[] {
  try {
    return createAggregator(stages, options).run(docs) as Document[];
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
  if (docs.length <= CHUNK) return runStages([stage], docs, options);
  const out: Document[] = [];
  for (let i = 0; i < docs.length; i += CHUNK) {
    for (const d of runStages([stage], docs.slice(i, i + CHUNK), options))
      out.push(d);
    await yieldPoint.maybePause();
  }
  return out;
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
  for (let i = 0; i < stages.length; i += 1) {
    const stage = stages[i] as Document;
    // Only the first stage sees stored documents; later ones work on mingo's own copies.
    const options =
      i === 0
        ? stageOptions
        : { ...stageOptions, processingMode: ProcessingMode.CLONE_OFF };
    const op = Object.keys(stage)[0] ?? '';
    if (docs.length > CHUNK && PER_DOCUMENT.has(op)) {
      docs = await inChunks(stage, docs, options, yieldPoint);
      continue;
    }
    const split = op === '$group' ? splitGroup(stage['$group']) : undefined;
    if (split !== undefined && docs.length > CHUNK) {
      const partials = await inChunks(split.partial, docs, options, yieldPoint);
      docs = runStages([split.merge, ...split.finish], partials, options);
      continue;
    }
    docs = runStages([stage], docs, options);
    await yieldPoint.maybePause();
  }
  return docs;
}
