/** Loader: citizen reports by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { EngagementModels, CitizenReportDoc } from '../models/index.js';

/** citizen reports by id. One query per batch. */
export function citizenReportById(models: EngagementModels) {
  return createByKeyLoader<string, CitizenReportDoc>(
    (ids) =>
      models.CitizenReport.find({ _id: { $in: [...ids] } })
        .lean<CitizenReportDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
