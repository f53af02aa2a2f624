/** Engagement model: a workshop session open to residents. */
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
import {
  foreignIdValidator,
  INNOVATION_HUB_ID,
  STARTUP_ID,
} from '../foreignIds.js';
import { defineStateMachine } from '../../../../lib/subgraph-kit/stateMachine.js';
import { versionFieldDefinition } from '../../../../lib/subgraph-kit/versioning.js';

/** Workshop topics (GraphQL `WorkshopTopic`). */
export const WORKSHOP_TOPICS = [
  'DIGITAL_BASICS',
  'ONLINE_SERVICES',
  'DATA_LITERACY',
  'CODING',
  'CYBERSECURITY',
  'OPEN_DATA',
  'CIVIC_TECH',
  'ENTREPRENEURSHIP',
] as const;

/** Workshop audiences (GraphQL `WorkshopAudience`). */
export const WORKSHOP_AUDIENCES = [
  'ALL',
  'SENIORS',
  'YOUTH',
  'JOB_SEEKERS',
  'FAMILIES',
] as const;

/** Stored statuses; HELD is derived (a SCHEDULED workshop that has started). */
export const WORKSHOP_STATUSES = ['SCHEDULED', 'CANCELLED'] as const;

/** A workshop's life cycle (docs/workflows.md): cancelled only before it starts. */
export const workshopLifecycle = defineStateMachine<
  'SCHEDULED' | 'HELD' | 'CANCELLED'
>('Workshop', { SCHEDULED: ['CANCELLED'], HELD: [], CANCELLED: [] });

/** A workshop as stored. */
export interface WorkshopDoc extends PendingEventsHolder {
  /** Stable id, e.g. `eng-ws-001`. */
  _id: string;
  title: string;
  description: string;
  topic: (typeof WORKSHOP_TOPICS)[number];
  audience: (typeof WORKSHOP_AUDIENCES)[number];
  venue: string;
  location: { lat: number; lon: number };
  /** INSEE code of the venue's district. */
  district: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  /** Confirmed enrolments, kept in step by `enrol` with a conditional update (never above capacity). */
  enrolledCount: number;
  programId: string | null;
  /** Economy's startup running it (`eco-su-NN`). */
  hostStartupId: string | null;
  /** Economy's innovation hub hosting it (`eco-hub-N`). */
  hostHubId: string | null;
  /** Absent on workshops stored before statuses: SCHEDULED. */
  status?: (typeof WORKSHOP_STATUSES)[number];
  cancelledAt?: Date | null;
  cancellationReason?: string | null;
  /** Staff subject who created it through the graph. */
  createdBy?: string | null;
  /** +1 on each change (lib/subgraph-kit/versioning.ts); absent: 1. */
  version?: number;
}

/** A workshop's state in its life cycle at `now`. */
export function workshopState(
  doc: Pick<WorkshopDoc, 'status' | 'startsAt'>,
  now: Date,
): 'SCHEDULED' | 'HELD' | 'CANCELLED' {
  if (doc.status === 'CANCELLED') return 'CANCELLED';
  return doc.startsAt.getTime() <= now.getTime() ? 'HELD' : 'SCHEDULED';
}

/** Mongoose schema of {@link WorkshopDoc}. */
export const workshopSchema = new Schema<WorkshopDoc>(
  {
    _id: { type: String, required: true, match: /^eng-ws-[0-9a-z-]+$/ },
    title: { type: String, required: true, trim: true, maxlength: 200 },
    description: { type: String, required: true, maxlength: 2000 },
    topic: { type: String, enum: WORKSHOP_TOPICS, required: true },
    audience: { type: String, enum: WORKSHOP_AUDIENCES, required: true },
    venue: { type: String, required: true, maxlength: 200 },
    location: geoPointDefinition,
    district: districtFieldDefinition,
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    capacity: { type: Number, required: true, min: 1, max: 500 },
    enrolledCount: { type: Number, required: true, min: 0 },
    programId: { type: String, default: null },
    hostStartupId: {
      type: String,
      default: null,
      validate: foreignIdValidator(STARTUP_ID, 'startup'),
    },
    hostHubId: {
      type: String,
      default: null,
      validate: foreignIdValidator(INNOVATION_HUB_ID, 'innovation hub'),
    },
    status: { type: String, enum: WORKSHOP_STATUSES, default: 'SCHEDULED' },
    cancelledAt: { type: Date, default: null },
    cancellationReason: { type: String, default: null, maxlength: 500 },
    createdBy: { type: String, default: null },
    version: versionFieldDefinition,
    ...pendingEventsDefinition,
  },
  { collection: 'workshops', versionKey: false },
);
// The events of its last change until the outbox has them (lib/subgraph-kit/pendingEvents.ts).
indexPendingEvents(workshopSchema);
workshopSchema.pre('validate', function () {
  if (this.endsAt <= this.startsAt)
    this.invalidate('endsAt', 'a workshop ends after it starts');
  if (this.enrolledCount > this.capacity)
    this.invalidate('enrolledCount', 'enrolledCount cannot exceed capacity');
});
workshopSchema.index({ district: 1, startsAt: -1 });
workshopSchema.index({ startsAt: -1 });
workshopSchema.index({ programId: 1, startsAt: 1 });
