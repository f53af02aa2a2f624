/** Engagement model: one person's enrolment in a workshop (personal data). */
import { Schema } from 'mongoose';
import {
  indexPendingEvents,
  pendingEventsDefinition,
} from '../../../../lib/subgraph-kit/pendingEvents.js';
import { districtFieldDefinition } from '../../../../lib/subgraph-kit/districts.js';
import { defineStateMachine } from '../../../../lib/subgraph-kit/stateMachine.js';
import { versionFieldDefinition } from '../../../../lib/subgraph-kit/versioning.js';

/** Attendance values (GraphQL `AttendanceStatus`). */
export const ATTENDANCE_STATUSES = ['PENDING', 'ATTENDED', 'ABSENT'] as const;

/** An enrolment's attendance (docs/workflows.md): recorded once the workshop is held, correctable. */
export const attendanceLifecycle = defineStateMachine<
  (typeof ATTENDANCE_STATUSES)[number]
>('Enrolment', {
  PENDING: ['ATTENDED', 'ABSENT'],
  ATTENDED: ['ABSENT'],
  ABSENT: ['ATTENDED'],
});

/** An enrolment as stored. */
export interface EnrolmentDoc {
  /** e.g. `eng-en-eng-ws-001-007` (seed) or `eng-en-<uuid>`. */
  _id: string;
  workshopId: string;
  /** INSEE code of the district the participant lives in (public in aggregate). */
  district: string;
  enrolledAt: Date;
  participantName: string;
  /** Lower-cased: one enrolment per email and workshop (unique index). */
  participantEmail: string;
  participantPhone: string | null;
  /** The `sub` of who enrolled (null for seed data entered by staff). */
  enrolledBy: string | null;
  /** Absent until recorded: PENDING. */
  attendance?: (typeof ATTENDANCE_STATUSES)[number];
  attendanceRecordedAt?: Date | null;
  /** Staff subject who recorded it. */
  attendanceRecordedBy?: string | null;
  /** +1 each time attendance is recorded; absent: 1. */
  version?: number;
}

/** Mongoose schema of {@link EnrolmentDoc}. */
export const enrolmentSchema = new Schema<EnrolmentDoc>(
  {
    _id: { type: String, required: true },
    workshopId: { type: String, required: true },
    district: districtFieldDefinition,
    enrolledAt: { type: Date, required: true },
    participantName: {
      type: String,
      required: true,
      trim: true,
      minlength: 2,
      maxlength: 100,
    },
    participantEmail: {
      type: String,
      required: true,
      lowercase: true,
      trim: true,
      maxlength: 254,
      match: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
    },
    participantPhone: { type: String, default: null, maxlength: 30 },
    enrolledBy: { type: String, default: null },
    attendance: {
      type: String,
      enum: ATTENDANCE_STATUSES,
      default: 'PENDING',
    },
    attendanceRecordedAt: { type: Date, default: null },
    attendanceRecordedBy: { type: String, default: null },
    version: versionFieldDefinition,
    ...pendingEventsDefinition,
  },
  { collection: 'enrolments', versionKey: false },
);
// The events of its last change until the outbox has them (lib/subgraph-kit/pendingEvents.ts).
indexPendingEvents(enrolmentSchema);
// Duplicate enrolments are refused by the database itself, whatever the race.
enrolmentSchema.index(
  { workshopId: 1, participantEmail: 1 },
  { unique: true, name: 'one_enrolment_per_email_and_workshop' },
);
// A workshop's roster, in enrolment order (Workshop.enrolments).
enrolmentSchema.index({ workshopId: 1, enrolledAt: 1 });
