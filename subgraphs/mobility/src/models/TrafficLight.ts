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
import { defineStateMachine } from '../../../../lib/subgraph-kit/stateMachine.js';
import { versionFieldDefinition } from '../../../../lib/subgraph-kit/versioning.js';

/** Statuses of a traffic light. */
export const TRAFFIC_LIGHT_STATUSES = [
  'OPERATIONAL',
  'FAULT',
  'MAINTENANCE',
] as const;

/**
 * A traffic light's status life cycle (docs/workflows.md): a fault is
 * repaired under MAINTENANCE before the light is OPERATIONAL again.
 */
export const trafficLightLifecycle = defineStateMachine<
  (typeof TRAFFIC_LIGHT_STATUSES)[number]
>('TrafficLight', {
  OPERATIONAL: ['FAULT', 'MAINTENANCE'],
  FAULT: ['MAINTENANCE'],
  MAINTENANCE: ['OPERATIONAL', 'FAULT'],
});

/** A fault reported on a light. */
export interface TrafficLightFaultDoc {
  description: string;
  reportedAt: Date;
  /** Staff subject. */
  reportedBy: string | null;
}

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
  /** The fault reported through the graph, kept until the light is OPERATIONAL again. */
  fault?: TrafficLightFaultDoc | null;
  /** Why the status was last changed through the graph. */
  statusReason?: string | null;
  /** +1 on each change through the graph (lib/subgraph-kit/versioning.ts); absent before the first. */
  version?: number;
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
    fault: {
      type: {
        _id: false,
        description: { type: String, required: true, maxlength: 500 },
        reportedAt: { type: Date, required: true },
        reportedBy: { type: String, default: null },
      },
      default: null,
    },
    statusReason: { type: String, default: null, maxlength: 500 },
    version: versionFieldDefinition,
    ...pendingEventsDefinition,
  },
  { collection: 'traffic_lights', versionKey: false },
);
indexPendingEvents(trafficLightSchema);
