/** CitizenReport (Open311 service request): engagement owns it; it points at mobility's and environment's assets. */
import type { EngagementContext } from '../context.js';
import type { CitizenReportDoc } from '../models/index.js';

export const CitizenReport = {
  __resolveReference: (ref: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.citizenReportById.load(ref.id),
  id: (doc: CitizenReportDoc) => doc._id,
  district: (doc: CitizenReportDoc) => ({ code: doc.district }),
  // TrafficLight is resolvable here too (engagement adds `reports`); mobility resolves the rest.
  trafficLight: (doc: CitizenReportDoc) =>
    doc.trafficLightId ? { id: doc.trafficLightId } : null,
  // Stub: environment resolves WaterMeter.
  waterMeter: (doc: CitizenReportDoc) =>
    doc.waterMeterId
      ? { __typename: 'WaterMeter', id: doc.waterMeterId }
      : null,
};

/** Open311 statuses: GraphQL enum values to stored Open311 values. */
export const CitizenReportStatus = { OPEN: 'open', CLOSED: 'closed' };
