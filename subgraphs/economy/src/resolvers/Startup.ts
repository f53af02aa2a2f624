/** Startup: economy owns it; engagement's workshops reference it as host. */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import type { PageArgs } from '../../../../lib/subgraph-kit/pagination.js';
import type { EconomyContext } from '../context.js';
import type { StartupDoc } from '../models/index.js';
import { economicSector } from '../naf.js';
import { euros } from './units.js';

export const Startup = {
  __resolveReference: (ref: { id: string }, ctx: EconomyContext) =>
    ctx.loaders.startupById.load(ref.id),
  id: (doc: StartupDoc) => doc._id,
  ngsiId: (doc: StartupDoc) => ngsiIdOf('Startup', doc._id),
  sector: (doc: StartupDoc) => economicSector(doc.sector),
  hub: (doc: StartupDoc, _: unknown, ctx: EconomyContext) =>
    doc.hubId === null ? null : ctx.loaders.innovationHubById.load(doc.hubId),
  investments: (doc: StartupDoc, args: PageArgs, ctx: EconomyContext) =>
    ctx.loaders.investmentPagesByStartup(doc._id, args),
  totalRaised: async (doc: StartupDoc, _: unknown, ctx: EconomyContext) =>
    euros(await ctx.loaders.totalRaisedByStartup.load(doc._id)),
};
