/**
 * Engagement's document-level access predicates. Field rules are declared in
 * schema.graphql (`@authenticated`, `@requiresScopes`, `@policy`) and
 * enforced by lib/records/access; these check what a directive cannot: the state of
 * the document itself.
 */
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
  workshop: Pick<WorkshopDoc, 'startsAt' | 'capacity' | 'enrolledCount'>,
  now: Date,
): string | null {
  if (viewer.subject === null) return 'sign in to enrol';
  if (workshop.startsAt.getTime() <= now.getTime())
    return 'enrolment closed: the workshop has already started';
  if (workshop.enrolledCount >= workshop.capacity)
    return 'the workshop is full';
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
