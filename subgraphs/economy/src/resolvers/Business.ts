/** Business: economy owns it; environment's energy projects reference it as operator. */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import type { EconomyContext } from '../context.js';
import type { BusinessDoc } from '../models/index.js';
import { versionOf } from '../../../../lib/subgraph-kit/versioning.js';
import { economicSector } from '../naf.js';

export const Business = {
  __resolveReference: (ref: { id: string }, ctx: EconomyContext) =>
    ctx.loaders.businessById.load(ref.id),
  id: (doc: BusinessDoc) => doc._id,
  ngsiId: (doc: BusinessDoc) => ngsiIdOf('Business', doc._id),
  siren: (doc: BusinessDoc) => doc.registryNumber.slice(0, 9),
  sector: (doc: BusinessDoc) => economicSector(doc.sector),
  district: (doc: BusinessDoc) => ({ code: doc.district }),
  status: (doc: BusinessDoc) => doc.status ?? 'ACTIVE',
  closedOn: (doc: BusinessDoc) => doc.closedOn ?? null,
  updatedBy: (doc: BusinessDoc) => doc.updatedBy ?? null,
  version: (doc: BusinessDoc) => versionOf(doc),
};
