/** Economy model: a funding round of a startup. */
import { Schema } from 'mongoose';

/** Funding rounds. */
export const FUNDING_ROUNDS = [
  'PRE_SEED',
  'SEED',
  'SERIES_A',
  'SERIES_B',
  'SERIES_C',
  'GRANT',
] as const;

/** An investment as stored; the amount is in EUR. */
export interface InvestmentDoc {
  /** `eco-inv-<startup number>-<n>`, e.g. `eco-inv-07-2`. */
  _id: string;
  startupId: string;
  investor: string;
  round: (typeof FUNDING_ROUNDS)[number];
  date: Date;
  /** EUR; commercial data (economy:investments). */
  amount: number;
}

/** Mongoose schema of {@link InvestmentDoc}. */
export const investmentSchema = new Schema<InvestmentDoc>(
  {
    _id: { type: String, required: true },
    startupId: { type: String, required: true },
    investor: { type: String, required: true, maxlength: 200 },
    round: { type: String, enum: FUNDING_ROUNDS, required: true },
    date: { type: Date, required: true },
    amount: { type: Number, required: true, min: 0, max: 1e10 },
  },
  { collection: 'investments', versionKey: false },
);
investmentSchema.index({ startupId: 1, date: -1 });
investmentSchema.index({ date: -1 });
