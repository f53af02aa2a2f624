/** Mobility model: a smart traffic light and the signal plan in force. */
import type { RecordSource } from '../../../../lib/ingest/quality.js';
import { Schema } from 'mongoose';
import {
  indexPendingEvents,
  pendingEventsDefinition,
  type PendingEventsHolder,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import {
  districtFieldDefinition,
  geoPointDefinition,
} from '../../../../lib/subgraph-kit/districts.js';

/** Statuses of a traffic light. */
export const TRAFFIC_LIGHT_STATUSES = [
  'OPERATIONAL',
  'FAULT',
  'MAINTENANCE',
] as const;

/** A signal plan as stored inside its traffic light. */
export interface SignalPlanDoc {
  planId: string;
  name: string;
  cycleSeconds: number;
  phases: { name: string; greenSeconds: number }[];
  validFrom: Date;
  updatedBy: string | null;
}

/** A traffic light as stored (with the events of its last change until the outbox has them). */
export interface TrafficLightDoc extends PendingEventsHolder {
  _id: string;
  name: string;
  intersection: string;
  location: { lat: number; lon: number };
  district: string;
  status: (typeof TRAFFIC_LIGHT_STATUSES)[number];
  signalPlan: SignalPlanDoc;
  /** When the status was last reported by the light (FIWARE Device); absent before any report. */
  statusObservedAt?: Date | null;
  /** Who reported it. */
  statusSource?: RecordSource | null;
}

const signalPlanSchema = new Schema<SignalPlanDoc>(
  {
    planId: { type: String, required: true },
    name: { type: String, required: true, maxlength: 100 },
    cycleSeconds: { type: Number, required: true, min: 30, max: 180 },
    phases: {
      type: [
        {
          name: { type: String, required: true },
          greenSeconds: { type: Number, required: true, min: 5, max: 120 },
        },
      ],
      validate: {
        validator: (phases: unknown[]) =>
          phases.length >= 2 && phases.length <= 8,
        message: 'a signal plan has 2 to 8 phases',
      },
    },
    validFrom: { type: Date, required: true },
    updatedBy: { type: String, default: null },
  },
  { _id: false },
);

/** Mongoose schema of {@link TrafficLightDoc}. */
export const trafficLightSchema = new Schema<TrafficLightDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, maxlength: 200 },
    intersection: { type: String, required: true, maxlength: 200 },
    location: geoPointDefinition,
    district: districtFieldDefinition,
    status: { type: String, enum: TRAFFIC_LIGHT_STATUSES, required: true },
    signalPlan: { type: signalPlanSchema, required: true },
    statusObservedAt: { type: Date, default: null },
    statusSource: { type: Schema.Types.Mixed, default: null },
    ...pendingEventsDefinition,
  },
  { collection: 'traffic_lights', versionKey: false },
);
indexPendingEvents(trafficLightSchema);
