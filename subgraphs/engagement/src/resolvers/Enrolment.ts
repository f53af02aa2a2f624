/** Enrolment (personal data) and the receipt a participant gets back. */
import { loadExisting } from '../../../../lib/subgraph-kit/loaders.js';
import { versionOf } from '../../../../lib/subgraph-kit/versioning.js';
import type { EngagementContext } from '../context.js';
import type { EnrolmentDoc } from '../models/index.js';

export const Enrolment = {
  id: (doc: EnrolmentDoc) => doc._id,
  workshop: (doc: EnrolmentDoc, _: unknown, ctx: EngagementContext) =>
    loadExisting(ctx.loaders.workshopById, doc.workshopId, 'workshop'),
  residentDistrict: (doc: EnrolmentDoc) => ({ code: doc.district }),
  attendance: (doc: EnrolmentDoc) => doc.attendance ?? 'PENDING',
  attendanceRecordedAt: (doc: EnrolmentDoc) => doc.attendanceRecordedAt ?? null,
  version: (doc: EnrolmentDoc) => versionOf(doc),
};

/** What `enrol` returns (see Mutation.ts). */
export interface EnrolmentReceiptValue {
  enrolmentId: string;
  workshopId: string;
  enrolledAt: Date;
}

export const EnrolmentReceipt = {
  workshop: (
    receipt: EnrolmentReceiptValue,
    _: unknown,
    ctx: EngagementContext,
  ) => loadExisting(ctx.loaders.workshopById, receipt.workshopId, 'workshop'),
};
