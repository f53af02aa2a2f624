/** Investment: a funding round of a startup; its amount is commercial data. */
import { loadExisting } from '../../../../lib/subgraph-kit/loaders.js';
import type { EconomyContext } from '../context.js';
import type { InvestmentDoc } from '../models/index.js';
import { euros } from './units.js';

export const Investment = {
  id: (doc: InvestmentDoc) => doc._id,
  startup: (doc: InvestmentDoc, _: unknown, ctx: EconomyContext) =>
    loadExisting(ctx.loaders.startupById, doc.startupId, 'startup'),
  amount: (doc: InvestmentDoc) => euros(doc.amount),
};
