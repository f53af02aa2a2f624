/** Survey and its aggregated results. */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import type { EngagementContext } from '../context.js';
import type { SurveyDoc, SurveyQuestionDoc } from '../models/index.js';

/** OPEN between opensAt (inclusive) and closesAt (exclusive) at `now`. */
export function surveyStatus(doc: SurveyDoc, now: Date): 'OPEN' | 'CLOSED' {
  return doc.opensAt <= now && now < doc.closesAt ? 'OPEN' : 'CLOSED';
}

export const Survey = {
  __resolveReference: (ref: { id: string }, ctx: EngagementContext) =>
    ctx.loaders.surveyById.load(ref.id),
  id: (doc: SurveyDoc) => doc._id,
  ngsiId: (doc: SurveyDoc) => ngsiIdOf('Survey', doc._id),
  district: (doc: SurveyDoc) => (doc.district ? { code: doc.district } : null),
  status: (doc: SurveyDoc, _: unknown, ctx: EngagementContext) =>
    surveyStatus(doc, ctx.now()),
};

export const SurveyQuestion = {
  id: (q: SurveyQuestionDoc) => q.questionId,
  options: (q: SurveyQuestionDoc) =>
    q.options.map((o) => ({
      id: o.optionId,
      label: o.label,
      count: o.count,
      share:
        q.answerCount === 0
          ? 0
          : Math.round((o.count / q.answerCount) * 1000) / 1000,
    })),
  averageRating: (q: SurveyQuestionDoc) => {
    if (q.kind !== 'RATING') return null;
    const total = q.ratingCounts.reduce((a, b) => a + b, 0);
    if (total === 0) return null;
    const sum = q.ratingCounts.reduce((a, n, i) => a + n * (i + 1), 0);
    return Math.round((sum / total) * 100) / 100;
  },
};
