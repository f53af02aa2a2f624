/** Environment model: a renewable-energy installation or project. */
import { Schema } from 'mongoose';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';

/** Kinds of renewable energy. */
export const RENEWABLE_TYPES = [
  'SOLAR_PV',
  'SOLAR_THERMAL',
  'WIND',
  'THALASSOTHERMAL',
  'BIOMASS',
  'HYDRO',
] as const;
/** Stages of a project. */
export const RENEWABLE_STATUSES = [
  'PLANNED',
  'UNDER_CONSTRUCTION',
  'OPERATIONAL',
  'DECOMMISSIONED',
] as const;

/** A renewable-energy project as stored. */
export interface RenewableEnergyProjectDoc {
  /** `env-rep-<INSEE>-<n>`. */
  _id: string;
  name: string;
  type: (typeof RENEWABLE_TYPES)[number];
  status: (typeof RENEWABLE_STATUSES)[number];
  /** kW. */
  capacityKw: number;
  /** MWh per year. */
  expectedAnnualMwh: number;
  location: { lat: number; lon: number };
  district: string;
  commissionedAt: Date | null;
  /** Economy business id (`eco-biz-<INSEE>-<NNN>`); null when the city runs it. */
  operatorId: string | null;
}

/** Mongoose schema of {@link RenewableEnergyProjectDoc}. */
export const renewableEnergyProjectSchema =
  new Schema<RenewableEnergyProjectDoc>(
    {
      _id: { type: String, required: true, match: /^env-rep-132\d\d-\d+$/ },
      name: { type: String, required: true, trim: true, maxlength: 200 },
      type: { type: String, enum: RENEWABLE_TYPES, required: true },
      status: { type: String, enum: RENEWABLE_STATUSES, required: true },
      capacityKw: { type: Number, required: true, min: 0.1, max: 1_000_000 },
      expectedAnnualMwh: { type: Number, required: true, min: 0 },
      location: geoPointDefinition,
      district: districtFieldDefinition,
      commissionedAt: { type: Date, default: null },
      operatorId: {
        type: String,
        default: null,
        match: /^eco-biz-132\d\d-\d{3}$/,
        index: true,
      },
    },
    { collection: 'renewable_energy_projects', versionKey: false },
  );
renewableEnergyProjectSchema.pre('validate', function () {
  const inService =
    this.status === 'OPERATIONAL' || this.status === 'DECOMMISSIONED';
  if (inService && this.commissionedAt === null)
    this.invalidate('commissionedAt', `a ${this.status} project has a date`);
  if (!inService && this.commissionedAt !== null)
    this.invalidate('commissionedAt', `a ${this.status} project has no date`);
});
