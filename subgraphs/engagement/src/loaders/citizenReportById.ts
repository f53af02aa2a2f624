/** Loader: citizen reports by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EngagementModels, CitizenReportDoc } from '../models/index.js';

/** citizen reports by id. One query per batch. */
export function citizenReportById(models: EngagementModels) {
  return createByIdLoader<CitizenReportDoc>(models.CitizenReport);
}
