/** Workshop and TrainingProgram: engagement owns them; economy's startups and hubs host workshops. */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import type { PageArgs } from '../../../../lib/subgraph-kit/pagination.js';
import { versionOf } from '../../../../lib/subgraph-kit/versioning.js';
import type { EngagementContext } from '../context.js';
import { workshopState } from '../models/Workshop.js';
import type { TrainingProgramDoc, WorkshopDoc } from '../models/index.js';

export const Workshop = {
  __resolveReference: (ref: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.workshopById.load(ref.id),
  id: (doc: WorkshopDoc) => doc._id,
  ngsiId: (doc: WorkshopDoc) => ngsiIdOf('Workshop', doc._id),
  district: (doc: WorkshopDoc) => ({ code: doc.district }),
  seatsLeft: (doc: WorkshopDoc) =>
    doc.status === 'CANCELLED'
      ? 0
      : Math.max(0, doc.capacity - doc.enrolledCount),
  status: (doc: WorkshopDoc, _: unknown, ctx: EngagementContext) =>
    workshopState(doc, ctx.now()),
  cancelledAt: (doc: WorkshopDoc) => doc.cancelledAt ?? null,
  cancellationReason: (doc: WorkshopDoc) => doc.cancellationReason ?? null,
  version: (doc: WorkshopDoc) => versionOf(doc),
  program: (doc: WorkshopDoc, _: unknown, ctx: EngagementContext) =>
    doc.programId ? ctx.loaders.trainingProgramById.load(doc.programId) : null,
  // Stubs: economy resolves the rest of Startup and InnovationHub.
  hostStartup: (doc: WorkshopDoc) =>
    doc.hostStartupId
      ? { __typename: 'Startup' as const, id: doc.hostStartupId }
      : null,
  hostHub: (doc: WorkshopDoc) =>
    doc.hostHubId
      ? { __typename: 'InnovationHub' as const, id: doc.hostHubId }
      : null,
  enrolments: (doc: WorkshopDoc, args: PageArgs, ctx: EngagementContext) =>
    ctx.loaders.enrolmentPagesByWorkshop(doc._id, args),
};

export const TrainingProgram = {
  __resolveReference: (ref: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.trainingProgramById.load(ref.id),
  id: (doc: TrainingProgramDoc) => doc._id,
  ngsiId: (doc: TrainingProgramDoc) => ngsiIdOf('TrainingProgram', doc._id),
  workshops: (doc: TrainingProgramDoc, _: unknown, ctx: EngagementContext) =>
    ctx.loaders.workshopsByProgram.load(doc._id),
  async enrolledCount(
    doc: TrainingProgramDoc,
    _: unknown,
    ctx: EngagementContext,
  ) {
    const workshops = await ctx.loaders.workshopsByProgram.load(doc._id);
    return workshops.reduce((sum, w) => sum + w.enrolledCount, 0);
  },
};
