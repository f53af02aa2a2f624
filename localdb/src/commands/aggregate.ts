// Internal to localdb: the aggregate command.
import type { Document } from 'bson';
import { cloneDocument } from '../bsonCodec.js';
import { CommandError, ErrorCode, toCommandError } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { ProcessingMode, createAggregator } from '../query/mingo.js';
import { rewritePipeline } from '../query/rewritePipeline.js';
import { runFind } from '../query/runFind.js';
import { collectionArg, docsArg } from './args.js';
import type { CommandHandler } from './CommandContext.js';

/** Stages that write to collections; mingo would write into its own arrays, not the store. */
const WRITE_STAGES = new Set(['$out', '$merge']);
/** Stages needing server state localdb does not have. */
const UNSUPPORTED_STAGES = new Set([
  '$changeStream',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$geoNear',
  '$search',
  '$vectorSearch',
]);

/** `aggregate` with a cursor reply; stages and operators are mingo's. */
export const aggregate: CommandHandler = (command, ctx) => {
  const target = command['aggregate'];
  const pipeline = rewritePipeline(docsArg(command, 'pipeline'));
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0] ?? '';
    if (WRITE_STAGES.has(op) || UNSUPPORTED_STAGES.has(op)) {
      throw new CommandError(
        ErrorCode.NotImplemented,
        `localdb does not support the ${op} stage`,
      );
    }
  }
  if (command['explain'] === true) {
    throw new CommandError(
      ErrorCode.NotImplemented,
      'localdb does not support explain',
    );
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
  // A leading $match goes through runFind so it can use `_id` or an index.
  let stages = pipeline;
  let input: Document[] = [];
  if (name !== undefined) {
    const first = pipeline[0];
    const match =
      first !== undefined && isPlainObject(first['$match'])
        ? first['$match']
        : undefined;
    if (match !== undefined) stages = pipeline.slice(1);
    input = runFind(ctx.store.getCollection(ctx.db, name), match ?? {});
  }
  let results: Document[];
  try {
    const aggregator = createAggregator(stages, {
      // mingo mutates nested input objects in stages such as $set; stored documents must not change.
      processingMode: ProcessingMode.CLONE_INPUT,
      collectionResolver: (from: string) =>
        [...(ctx.store.getCollection(ctx.db, from)?.values() ?? [])].map((d) =>
          cloneDocument(d),
        ),
    });
    results = aggregator.run(input) as Document[];
  } catch (err) {
    throw toCommandError(err);
  }
  const batchSize =
    typeof cursorOpt['batchSize'] === 'number'
      ? cursorOpt['batchSize']
      : undefined;
  const { batch, id } = ctx.cursors.open(ns, results, batchSize, false);
  return { cursor: { firstBatch: batch, id, ns } };
};
