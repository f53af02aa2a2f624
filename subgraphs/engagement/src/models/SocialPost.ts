/** Engagement model: public social-media posts, author pseudonymized (docs/ingestion.md, "Social media"). */
import { Schema } from 'mongoose';
import type {
  RecordQuality,
  RecordSource,
} from '../../../../lib/ingest/quality.js';
import {
  recordQualityDefinition,
  recordSourceDefinition,
} from '../../../../lib/subgraph-kit/provenance.js';
import type { DistrictMethod } from '../social/classifyPost.js';

/** A stored post. */
export interface SocialPostDoc {
  /** `eng-sp-<keyed HMAC of the status uri>`: the same status sent again has the same id. */
  _id: string;
  /** Keyed HMAC of the author's account (never the handle); null when the status named none. */
  author: string | null;
  /** The server it was posted on (host of its uri). */
  instance: string | null;
  language: string | null;
  /** The text (HTML stripped, mentions dropped); kept to classify again, not answered by the graph. */
  text: string;
  spoilerText: string | null;
  tags: string[];
  postedAt: Date;
  editedAt: Date | null;
  /** The hour, day and ISO week (Monday, UTC) it was posted in: the periods of `socialTopics`. */
  hour: Date;
  day: Date;
  week: Date;
  /** Service codes it is about (classifyPost.ts), most matched first. */
  topics: string[];
  matchedTerms: string[];
  district: string | null;
  districtMethod: DistrictMethod | null;
  location: { lat: number; lon: number } | null;
  source: RecordSource;
  receivedAt: Date;
  quality: RecordQuality;
}

/** Mongoose schema of {@link SocialPostDoc}. */
export const socialPostSchema = new Schema<SocialPostDoc>(
  {
    _id: { type: String, required: true },
    author: { type: String, default: null },
    instance: { type: String, default: null },
    language: { type: String, default: null },
    text: { type: String, required: true, maxlength: 5000 },
    spoilerText: { type: String, default: null },
    tags: { type: [String], default: [] },
    postedAt: { type: Date, required: true },
    editedAt: { type: Date, default: null },
    hour: { type: Date, required: true },
    day: { type: Date, required: true },
    week: { type: Date, required: true },
    topics: { type: [String], default: [] },
    matchedTerms: { type: [String], default: [] },
    district: { type: String, default: null },
    districtMethod: { type: String, default: null },
    // { lat, lon } when the post was geotagged.
    location: { type: Object, default: null },
    source: recordSourceDefinition,
    receivedAt: { type: Date, required: true },
    quality: recordQualityDefinition,
  },
  { collection: 'social_posts', versionKey: false },
);
// socialTopics reads a range of days, by district.
socialPostSchema.index({ postedAt: 1, district: 1 });
