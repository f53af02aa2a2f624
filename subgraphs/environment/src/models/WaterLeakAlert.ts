/** Environment model: a suspected leak on the water network (operational data). */
import { Schema } from 'mongoose';
import {
  indexPendingEvents,
  pendingEventsDefinition,
  type PendingEventsHolder,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';
import { defineStateMachine } from '../../../../lib/subgraph-kit/stateMachine.js';
import { versionFieldDefinition } from '../../../../lib/subgraph-kit/versioning.js';

/** Severities, lowest first. */
export const LEAK_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
/** Life cycle: OPEN → ACKNOWLEDGED → RESOLVED. */
export const LEAK_STATUSES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'] as const;
/** A leak alert's life cycle (docs/workflows.md): taken, then closed; RESOLVED is final. */
export const leakAlertLifecycle = defineStateMachine<
  (typeof LEAK_STATUSES)[number]
>('WaterLeakAlert', {
  OPEN: ['ACKNOWLEDGED'],
  ACKNOWLEDGED: ['RESOLVED'],
  RESOLVED: [],
});
/** Longest acknowledgement note (and resolution). */
export const LEAK_NOTE_MAX_LENGTH = 500;

/** How an alert was detected (analysis/nightFlow.ts): the night, its readings, the baseline. */
export interface LeakDetectionDoc {
  readonly rule: 'MINIMUM_NIGHT_FLOW';
  /** Local date of the night's morning, `YYYY-MM-DD`. */
  readonly night: string;
  /** The night window (02:00 to 05:00 Europe/Paris). */
  readonly from: Date;
  readonly to: Date;
  /** m3/h. */
  readonly minimumNightFlow: number;
  /** The lowest minimum night flow of the nights before, m3/h. */
  readonly baseline: number;
  /** How many nights the baseline was taken from. */
  readonly baselineNights: number;
  /** The night's readings, in time order. */
  readonly readingIds: readonly string[];
}

/** A leak alert as stored. */
export interface WaterLeakAlertDoc extends PendingEventsHolder {
  /** `env-leak-<INSEE>-<meter n>-<YYYYMMDD>` (detected), or `env-leak-<INSEE>-<n>`. */
  _id: string;
  meterId: string;
  district: string;
  severity: (typeof LEAK_SEVERITIES)[number];
  status: (typeof LEAK_STATUSES)[number];
  detectedAt: Date;
  /** m3/h. */
  estimatedLoss: number;
  description: string;
  acknowledgedAt: Date | null;
  /** Staff subject. */
  acknowledgedBy: string | null;
  note: string | null;
  resolvedAt?: Date | null;
  /** Staff subject. */
  resolvedBy?: string | null;
  /** What was done. */
  resolution?: string | null;
  /** 1 when raised, +1 on each change (lib/subgraph-kit/versioning.ts); absent on alerts stored before versions. */
  version?: number;
  /** How it was detected; absent for an alert raised otherwise. */
  detection?: LeakDetectionDoc | null;
}

/** Mongoose schema of {@link WaterLeakAlertDoc}. */
export const waterLeakAlertSchema = new Schema<WaterLeakAlertDoc>(
  {
    _id: {
      type: String,
      required: true,
      match: /^env-leak-132\d\d-\d+(-\d{8})?$/,
    },
    meterId: { type: String, required: true, match: /^env-wm-132\d\d-\d+$/ },
    district: districtFieldDefinition,
    severity: { type: String, enum: LEAK_SEVERITIES, required: true },
    status: { type: String, enum: LEAK_STATUSES, required: true },
    detectedAt: { type: Date, required: true },
    estimatedLoss: { type: Number, required: true, min: 0, max: 10_000 },
    description: { type: String, required: true, maxlength: 500 },
    acknowledgedAt: { type: Date, default: null },
    acknowledgedBy: { type: String, default: null, maxlength: 200 },
    note: { type: String, default: null, maxlength: LEAK_NOTE_MAX_LENGTH },
    resolvedAt: { type: Date, default: null },
    resolvedBy: { type: String, default: null, maxlength: 200 },
    resolution: {
      type: String,
      default: null,
      maxlength: LEAK_NOTE_MAX_LENGTH,
    },
    version: versionFieldDefinition,
    detection: { type: Schema.Types.Mixed, default: null },
    ...pendingEventsDefinition,
  },
  { collection: 'water_leak_alerts', versionKey: false },
);
// The events of its last change until the outbox has them (lib/subgraph-kit/pendingEvents.ts).
indexPendingEvents(waterLeakAlertSchema);
waterLeakAlertSchema.pre('validate', function () {
  if (this.status !== 'OPEN' && this.acknowledgedAt === null)
    this.invalidate(
      'acknowledgedAt',
      'an alert that is no longer OPEN has been acknowledged',
    );
});
waterLeakAlertSchema.index({ detectedAt: -1 });
waterLeakAlertSchema.index({ meterId: 1, detectedAt: -1 });
waterLeakAlertSchema.index({ status: 1 });
