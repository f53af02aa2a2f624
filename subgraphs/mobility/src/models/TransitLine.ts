/** Mobility model: an RTM line (FIWARE GtfsRoute). */
import { Schema } from 'mongoose';

/** Transit modes, GTFS route_type 1 (metro), 0 (tram), 3 (bus). */
export const TRANSIT_MODES = ['METRO', 'TRAM', 'BUS'] as const;

/** A transit line as stored. */
export interface TransitLineDoc {
  /** e.g. `rtm-M1`. */
  _id: string;
  shortName: string;
  longName: string;
  mode: (typeof TRANSIT_MODES)[number];
  /** Stop ids in line order. */
  stopIds: string[];
}

/** Mongoose schema of {@link TransitLineDoc}. */
export const transitLineSchema = new Schema<TransitLineDoc>(
  {
    _id: { type: String, required: true },
    shortName: { type: String, required: true, unique: true },
    longName: { type: String, required: true },
    mode: { type: String, enum: TRANSIT_MODES, required: true },
    stopIds: { type: [String], default: [] },
  },
  { collection: 'transit_lines', versionKey: false },
);
