/** Economy model: a startup, usually hosted by an innovation hub. */
import { Schema } from 'mongoose';
import { NAF_SECTION_CODES, type NafSection } from '../naf.js';

/** Startup stages, earliest first. */
export const STARTUP_STAGES = [
  'PRE_SEED',
  'SEED',
  'SERIES_A',
  'SERIES_B',
  'GROWTH',
] as const;

/** A startup as stored. */
export interface StartupDoc {
  /** `eco-su-01` to `eco-su-40` in the seed. */
  _id: string;
  name: string;
  sector: NafSection;
  focus: string;
  stage: (typeof STARTUP_STAGES)[number];
  founded: Date;
  /** Id of the hosting innovation hub, or null. */
  hubId: string | null;
}

/** Mongoose schema of {@link StartupDoc}. */
export const startupSchema = new Schema<StartupDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, trim: true, maxlength: 200 },
    sector: { type: String, enum: NAF_SECTION_CODES, required: true },
    focus: { type: String, required: true, maxlength: 200 },
    stage: { type: String, enum: STARTUP_STAGES, required: true },
    founded: { type: Date, required: true },
    hubId: { type: String, default: null, index: true },
  },
  { collection: 'startups', versionKey: false },
);
