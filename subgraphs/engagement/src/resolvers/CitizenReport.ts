/** CitizenReport (Open311 service request): engagement owns it; it points at mobility's and environment's assets. */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import type { CitizenReportStatus as CitizenReportStatusValue } from '../__generated__/resolvers-types.js';
import { versionOf } from '../../../../lib/subgraph-kit/versioning.js';
import type { EngagementContext } from '../context.js';
import type { CitizenReportDoc } from '../models/index.js';

/** Open311 statuses: GraphQL enum values to stored Open311 values. */
const STORED_STATUS: Record<
  CitizenReportStatusValue,
  CitizenReportDoc['status']
> = { OPEN: 'open', CLOSED: 'closed' };

/** Stored Open311 statuses to GraphQL enum values. */
const GRAPHQL_STATUS: Record<
  CitizenReportDoc['status'],
  CitizenReportStatusValue
> = { open: 'OPEN', closed: 'CLOSED' };

/** The stored status a `status` argument asks for (undefined: no filter). */
export function storedStatus(
  status: CitizenReportStatusValue | null | undefined,
): CitizenReportDoc['status'] | undefined {
  return status ? STORED_STATUS[status] : undefined;
}

/** A query filter on the stored status a `status` argument asks for. */
export function statusFilter(
  status: CitizenReportStatusValue | null | undefined,
): { status?: CitizenReportDoc['status'] } {
  return status ? { status: STORED_STATUS[status] } : {};
}

export const CitizenReport = {
  __resolveReference: (ref: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.citizenReportById.load(ref.id),
  id: (doc: CitizenReportDoc) => doc._id,
  ngsiId: (doc: CitizenReportDoc) => ngsiIdOf('ServiceRequest', doc._id),
  source: (doc: CitizenReportDoc) => doc.source ?? null,
  receivedAt: (doc: CitizenReportDoc) => doc.receivedAt ?? null,
  status: (doc: CitizenReportDoc) => GRAPHQL_STATUS[doc.status],
  version: (doc: CitizenReportDoc) => versionOf(doc),
  descriptionRedactions: (doc: CitizenReportDoc) =>
    doc.descriptionRedactions ?? [],
  // The protected original; the public text is the original when nothing
  // was masked.
  originalDescription: (doc: CitizenReportDoc) =>
    doc.descriptionOriginal ?? doc.description,
  district: (doc: CitizenReportDoc) => ({ code: doc.district }),
  // Posts about the same thing (social/socialMentions.ts): one find per page of reports.
  socialMentions: (doc: CitizenReportDoc, _: unknown, ctx: EngagementContext) =>
    ctx.loaders.socialMentionsByReport.load(doc),
  // TrafficLight is resolvable here too (engagement adds `reports`); mobility resolves the rest.
  trafficLight: (doc: CitizenReportDoc) =>
    doc.trafficLightId ? { id: doc.trafficLightId } : null,
  // Stub: environment resolves WaterMeter.
  waterMeter: (doc: CitizenReportDoc) =>
    doc.waterMeterId
      ? { __typename: 'WaterMeter' as const, id: doc.waterMeterId }
      : null,
};
