/** Engagement model: a survey with its aggregated results (no individual answer is stored). */
import { Schema } from 'mongoose';
import {
  indexPendingEvents,
  pendingEventsDefinition,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import { isDistrictCode } from '../../../../lib/subgraph-kit/districts.js';

/** Kinds of question (GraphQL `SurveyQuestionKind`). */
export const SURVEY_QUESTION_KINDS = [
  'SINGLE_CHOICE',
  'MULTIPLE_CHOICE',
  'RATING',
] as const;

/** A question with its aggregated answers. */
export interface SurveyQuestionDoc {
  questionId: string;
  text: string;
  kind: (typeof SURVEY_QUESTION_KINDS)[number];
  /** Choices and how many picked each (empty for RATING). */
  options: { optionId: string; label: string; count: number }[];
  /** Count of each rating 1..5 (RATING only; empty otherwise). */
  ratingCounts: number[];
  answerCount: number;
}

/** A survey as stored. */
export interface SurveyDoc {
  /** Stable id, e.g. `eng-sv-1`. */
  _id: string;
  title: string;
  description: string;
  /** INSEE code, or null for city-wide. */
  district: string | null;
  opensAt: Date;
  closesAt: Date;
  responseCount: number;
  questions: SurveyQuestionDoc[];
  /**
   * Who answered, pseudonymised: sha256 of the survey id and the respondent's
   * subject, never the answers (one answer per citizen, `answerSurvey`).
   * Never served by the graph.
   */
  respondentKeys?: string[];
}

const questionSchema = new Schema<SurveyQuestionDoc>(
  {
    questionId: { type: String, required: true },
    text: { type: String, required: true, maxlength: 500 },
    kind: { type: String, enum: SURVEY_QUESTION_KINDS, required: true },
    options: [
      {
        _id: false,
        optionId: { type: String, required: true },
        label: { type: String, required: true, maxlength: 200 },
        count: { type: Number, required: true, min: 0 },
      },
    ],
    ratingCounts: [{ type: Number, min: 0 }],
    answerCount: { type: Number, required: true, min: 0 },
  },
  { _id: false },
);

/** Mongoose schema of {@link SurveyDoc}. */
export const surveySchema = new Schema<SurveyDoc>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true, maxlength: 200 },
    description: { type: String, required: true, maxlength: 2000 },
    district: {
      type: String,
      default: null,
      index: true,
      validate: {
        validator: (code: string | null) =>
          code === null || isDistrictCode(code),
        message: 'district must be an INSEE code from 13201 to 13216',
      },
    },
    opensAt: { type: Date, required: true },
    closesAt: { type: Date, required: true },
    responseCount: { type: Number, required: true, min: 0 },
    questions: {
      type: [questionSchema],
      validate: {
        validator: (questions: unknown[]) =>
          questions.length >= 1 && questions.length <= 30,
        message: 'a survey has 1 to 30 questions',
      },
    },
    respondentKeys: { type: [String], default: [] },
    ...pendingEventsDefinition,
  },
  { collection: 'surveys', versionKey: false },
);
// The events of its last change until the outbox has them (lib/subgraph-kit/pendingEvents.ts).
indexPendingEvents(surveySchema);
surveySchema.index({ opensAt: -1 });
