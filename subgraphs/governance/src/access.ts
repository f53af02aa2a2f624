/**
 * Governance's access predicates. Every field already requires `audit:read`
 * through the directives of schema.graphql, enforced by lib/records/access; the
 * resolvers check again before touching the database (defence in depth:
 * the audit trail says who saw what, so it must itself be need-to-know).
 */
import { accessDeniedError } from '../../../lib/records/access/index.js';
import { ErrorCode } from '../../../lib/runtime/errors.js';
import { Scope } from '../../../lib/runtime/roles.js';
import type { Viewer } from '../../../lib/runtime/viewer.js';

/** Whether the viewer may read the access rules and the audit trail (scope `audit:read`). */
export function canReadAuditTrail(viewer: Viewer): boolean {
  return viewer.subject !== null && viewer.scopes.has(Scope.AUDIT_READ);
}

/**
 * Throws the same error lib/records/access would if the directive let a viewer
 * without `audit:read` through (it does not; this is the second lock).
 * @throws UnauthenticatedError or ForbiddenError.
 */
export function assertCanReadAuditTrail(
  viewer: Viewer,
  coordinate: string,
): void {
  if (canReadAuditTrail(viewer)) return;
  const requirement = {
    authenticated: false,
    scopes: [[Scope.AUDIT_READ]],
    policies: [],
  };
  throw accessDeniedError(
    viewer.subject === null ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN,
    coordinate,
    requirement,
  );
}
