/**
 * Economy's document-level access predicates. Field rules are declared in
 * schema.graphql (`@requiresScopes`) and enforced by lib/records/access; these check
 * what a directive cannot.
 */
import { Scope } from '../../../lib/runtime/roles.js';
import type { Viewer } from '../../../lib/runtime/viewer.js';

/**
 * Whether the viewer may register a business: economy staff only (also
 * enforced by the directive on `Mutation.registerBusiness`), and only as a
 * named subject, so the registry records who added the entry.
 */
export function canRegisterBusiness(viewer: Viewer): boolean {
  return viewer.subject !== null && viewer.scopes.has(Scope.ECONOMY_STAFF);
}
