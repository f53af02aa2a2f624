/** Economy model: the market indicators of one district for one month. */
import { Schema } from 'mongoose';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';
import { NAF_SECTION_CODES, type NafSection } from '../naf.js';

/** Openings and closures of one NAF section in the month. */
export interface SectorFlowDoc {
  sector: NafSection;
  openings: number;
  closures: number;
}

/** A monthly indicator as stored. */
export interface MarketIndicatorDoc {
  /** `eco-mi-<INSEE>-<YYYY-MM>`. */
  _id: string;
  district: string;
  /** YYYY-MM. */
  month: string;
  /** First instant of the month, UTC. */
  periodStart: Date;
  /** Totals of `sectorFlows`. */
  businessOpenings: number;
  businessClosures: number;
  /** Salaried jobs at the end of the month. */
  employment: number;
  /** Percent of commercial premises vacant, 0 to 100. */
  vacancyRate: number;
  sectorFlows: SectorFlowDoc[];
}

const sectorFlowSchema = new Schema<SectorFlowDoc>(
  {
    sector: { type: String, enum: NAF_SECTION_CODES, required: true },
    openings: { type: Number, required: true, min: 0 },
    closures: { type: Number, required: true, min: 0 },
  },
  { _id: false },
);

/** Mongoose schema of {@link MarketIndicatorDoc}. */
export const marketIndicatorSchema = new Schema<MarketIndicatorDoc>(
  {
    _id: { type: String, required: true },
    district: districtFieldDefinition,
    month: { type: String, required: true, match: /^\d{4}-(0[1-9]|1[0-2])$/ },
    periodStart: { type: Date, required: true },
    businessOpenings: { type: Number, required: true, min: 0 },
    businessClosures: { type: Number, required: true, min: 0 },
    employment: { type: Number, required: true, min: 0 },
    vacancyRate: { type: Number, required: true, min: 0, max: 100 },
    sectorFlows: { type: [sectorFlowSchema], default: [] },
  },
  { collection: 'market_indicators', versionKey: false },
);
marketIndicatorSchema.index({ district: 1, periodStart: -1 }, { unique: true });
marketIndicatorSchema.index({ periodStart: -1 });
marketIndicatorSchema.pre('validate', function () {
  const sum = (key: 'openings' | 'closures') =>
    this.sectorFlows.reduce((total, flow) => total + flow[key], 0);
  if (this.sectorFlows.length > 0 && sum('openings') !== this.businessOpenings)
    this.invalidate(
      'businessOpenings',
      'businessOpenings must equal the sum of the sector flows',
    );
  if (this.sectorFlows.length > 0 && sum('closures') !== this.businessClosures)
    this.invalidate(
      'businessClosures',
      'businessClosures must equal the sum of the sector flows',
    );
});
