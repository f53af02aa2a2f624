/** Loader: the citizen reports about each traffic light (mobility's TrafficLight.reports). */
import { createGroupLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { CitizenReportDoc, EngagementModels } from '../models/index.js';

/**
 * Every report about each light, newest first. One query per batch of
 * lights: a light gets a handful of reports, so the page is cut in memory
 * (lib/subgraph-kit/pagination.ts paginateLoaded) rather than with one query per light.
 * TODO(v2): if lights gather hundreds of reports, bound this to the newest
 * N per light with an aggregation ($sort, $group, $slice) instead.
 */
export function citizenReportsByTrafficLight(models: EngagementModels) {
  return createGroupLoader<string, CitizenReportDoc>(
    (lightIds) =>
      models.CitizenReport.find({ trafficLightId: { $in: [...lightIds] } })
        .sort({ requestedDatetime: -1, _id: -1 })
        .lean<CitizenReportDoc[]>()
        .exec(),
    (doc) => doc.trafficLightId ?? '',
  );
}
