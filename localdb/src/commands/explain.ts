// Internal to localdb: the explain command (queryPlanner only).
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import { collationKey, parseCollation } from '../query/collation.js';
import { explainPlan, planFind } from '../query/planFind.js';
import type { CommandContext, CommandHandler } from './CommandContext.js';

/** The filter, sort and hint a read command would plan with. */
function readShape(inner: Document): {
  coll: string;
  filter: Document;
  sort?: Document;
  hint?: unknown;
} {
  const name = Object.keys(inner)[0] ?? '';
  const coll = inner[name];
  if (typeof coll !== 'string')
    throw new CommandError(
      ErrorCode.InvalidNamespace,
      `explain: collection name must be a string`,
    );
  const doc = (v: unknown): Document | undefined =>
    isPlainObject(v) ? v : undefined;
  switch (name) {
    case 'find':
      return {
        coll,
        filter: doc(inner['filter']) ?? {},
        ...(doc(inner['sort']) === undefined ? {} : { sort: inner['sort'] }),
        hint: inner['hint'],
      };
    case 'count':
    case 'distinct':
      return { coll, filter: doc(inner['query']) ?? {}, hint: inner['hint'] };
    case 'update':
    case 'delete': {
      const list = inner[name === 'update' ? 'updates' : 'deletes'];
      const first = Array.isArray(list) ? doc(list[0]) : undefined;
      return { coll, filter: doc(first?.['q']) ?? {} };
    }
    case 'findAndModify':
    case 'findandmodify':
      return {
        coll,
        filter: doc(inner['query']) ?? {},
        ...(doc(inner['sort']) === undefined ? {} : { sort: inner['sort'] }),
      };
    case 'aggregate': {
      const pipeline = inner['pipeline'];
      const first = Array.isArray(pipeline) ? doc(pipeline[0]) : undefined;
      const second = Array.isArray(pipeline) ? doc(pipeline[1]) : undefined;
      return {
        coll,
        filter: doc(first?.['$match']) ?? {},
        ...(doc(second?.['$sort']) === undefined
          ? {}
          : { sort: second?.['$sort'] as Document }),
        hint: inner['hint'],
      };
    }
    default:
      throw new CommandError(
        ErrorCode.CommandNotFound,
        `Explain failed due to unknown command: ${name}`,
      );
  }
}

/** The queryPlanner section for one read. */
export function queryPlanner(inner: Document, ctx: CommandContext): Document {
  const shape = readShape(inner);
  const coll = ctx.store.getCollection(ctx.db, shape.coll);
  const winningPlan =
    coll === undefined
      ? { stage: 'EOF' }
      : explainPlan(
          planFind(
            coll,
            shape.filter,
            shape.sort,
            shape.hint,
            collationKey(parseCollation(inner['collation'])),
          ),
        );
  return {
    namespace: `${ctx.db}.${shape.coll}`,
    parsedQuery: shape.filter,
    winningPlan,
    rejectedPlans: [],
  };
}

/** `explain` of find, count, distinct, update, delete, findAndModify and aggregate: the plan, not execution stats. */
export const explain: CommandHandler = (command, ctx) => {
  const inner = command['explain'];
  if (!isPlainObject(inner))
    throw new CommandError(
      ErrorCode.TypeMismatch,
      "BSON field 'explain' must be an object",
    );
  return {
    queryPlanner: queryPlanner(inner, ctx),
    command: inner,
    serverInfo: { host: 'localdb', version: '7.0.0' },
  };
};
