/** Loader: surveys by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { EngagementModels, SurveyDoc } from '../models/index.js';

/** surveys by id. One query per batch. */
export function surveyById(models: EngagementModels) {
  return createByIdLoader<SurveyDoc>(models.Survey);
}
