/** InnovationHub: economy owns it; engagement's workshops reference it as venue. */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import type { EconomyContext } from '../context.js';
import type { InnovationHubDoc } from '../models/index.js';

export const InnovationHub = {
  __resolveReference: (ref: { id: string }, ctx: EconomyContext) =>
    ctx.loaders.innovationHubById.load(ref.id),
  id: (doc: InnovationHubDoc) => doc._id,
  ngsiId: (doc: InnovationHubDoc) => ngsiIdOf('InnovationHub', doc._id),
  district: (doc: InnovationHubDoc) => ({ code: doc.district }),
  startups: (doc: InnovationHubDoc, _: unknown, ctx: EconomyContext) =>
    ctx.loaders.startupsByHub.load(doc._id),
  startupCount: async (
    doc: InnovationHubDoc,
    _: unknown,
    ctx: EconomyContext,
  ) => (await ctx.loaders.startupsByHub.load(doc._id)).length,
};
