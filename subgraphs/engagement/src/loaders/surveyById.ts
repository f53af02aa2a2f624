/** Loader: surveys by id. */
import { createByKeyLoader } from '../../../../lib/loaders.js';
import type { EngagementModels, SurveyDoc } from '../models/index.js';

/** surveys by id. One query per batch. */
export function surveyById(models: EngagementModels) {
  return createByKeyLoader<string, SurveyDoc>(
    (ids) =>
      models.Survey.find({ _id: { $in: [...ids] } })
        .lean<SurveyDoc[]>()
        .exec(),
    (doc) => doc._id,
  );
}
