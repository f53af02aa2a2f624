/**
 * Engagement's document-level access predicates. Field rules are declared in
 * schema.graphql (`@authenticated`, `@requiresScopes`, `@policy`) and
 * enforced by lib/records/access; these check what a directive cannot: the state of
 * the document itself.
 */
import { Scope } from '../../../lib/runtime/roles.js';
import type { Viewer } from '../../../lib/runtime/viewer.js';
import type {
  CitizenReportDoc,
  EnrolmentDoc,
  WorkshopDoc,
} from './models/index.js';

/**
 * Whether anyone may still enrol in this workshop at `now`: signed in (also
 * enforced by the directive), the workshop not started, a seat left.
 * Returns the reason it may not, or null when it may.
 */
export function canEnrolInWorkshop(
  viewer: Viewer,
  workshop: Pick<
    WorkshopDoc,
    'startsAt' | 'capacity' | 'enrolledCount' | 'status'
  >,
  now: Date,
): string | null {
  if (viewer.subject === null) return 'sign in to enrol';
  if (workshop.status === 'CANCELLED') return 'the workshop is cancelled';
  if (workshop.startsAt.getTime() <= now.getTime())
    return 'enrolment closed: the workshop has already started';
  if (workshop.enrolledCount >= workshop.capacity)
    return 'the workshop is full';
  return null;
}

/** Whether the viewer is a named engagement staff member (workshops, attendance, any report). */
export function isEngagementStaff(viewer: Viewer): boolean {
  return viewer.subject !== null && viewer.scopes.has(Scope.ENGAGEMENT_STAFF);
}

/**
 * Whether the viewer may make this change to a citizen report: engagement
 * staff may close, reopen or annotate any report; the citizen who filed it
 * may only close it (with an optional note), not reopen it nor write the
 * city's status notes on an open report. Returns why not, or null. The
 * report's state (a closed report cannot be closed again) is its life
 * cycle's, checked after this.
 */
export function canUpdateCitizenReport(
  viewer: Viewer,
  report: Pick<CitizenReportDoc, 'submittedBy'>,
  change: { to: CitizenReportDoc['status'] },
): string | null {
  if (isEngagementStaff(viewer)) return null;
  if (viewer.subject === null || report.submittedBy !== viewer.subject)
    return 'only engagement staff and the citizen who filed it may update a report';
  if (change.to !== 'closed')
    return 'the citizen who filed a report may close it, not reopen or annotate it';
  return null;
}

/**
 * Who engagement's personal records are about: the account (`sub`) that
 * filed a report or made an enrolment. The audit trail keeps it with each
 * read of their personal data, so `personalDataAccessReport(subject)` can
 * answer a citizen's access request (docs/access-control.md). A record
 * filed without an account (seed data, a partner's import) names nobody.
 */
export const dataSubjects = {
  CitizenReport: (doc: unknown) =>
    (doc as Partial<CitizenReportDoc>).submittedBy ?? null,
  Enrolment: (doc: unknown) =>
    (doc as Partial<EnrolmentDoc>).enrolledBy ?? null,
};
