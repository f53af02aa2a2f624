/** Engagement model: a training programme (a series of workshops). */
import { Schema } from 'mongoose';
import { WORKSHOP_TOPICS } from './Workshop.js';

/** A training programme as stored. */
export interface TrainingProgramDoc {
  /** Stable id, e.g. `eng-tp-1`. */
  _id: string;
  title: string;
  description: string;
  topic: (typeof WORKSHOP_TOPICS)[number];
  provider: string;
  startsOn: Date;
  endsOn: Date;
}

/** Mongoose schema of {@link TrainingProgramDoc}. */
export const trainingProgramSchema = new Schema<TrainingProgramDoc>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true, trim: true, maxlength: 200 },
    description: { type: String, required: true, maxlength: 2000 },
    topic: { type: String, enum: WORKSHOP_TOPICS, required: true },
    provider: { type: String, required: true, maxlength: 200 },
    startsOn: { type: Date, required: true },
    endsOn: { type: Date, required: true },
  },
  { collection: 'training_programs', versionKey: false },
);
trainingProgramSchema.pre('validate', function () {
  if (this.endsOn < this.startsOn)
    this.invalidate('endsOn', 'a programme ends after it starts');
});
