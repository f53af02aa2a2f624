/**
 * Environment's document-level access predicates. Field rules are declared in
 * schema.graphql (`@requiresScopes`) and enforced by lib/records/access; these check
 * what a directive cannot: who the caller is. Which changes a leak alert's
 * state allows is its life cycle's (models/WaterLeakAlert.ts,
 * `leakAlertLifecycle`), checked by the mutation.
 */
import { Scope } from '../../../lib/runtime/roles.js';
import type { Viewer } from '../../../lib/runtime/viewer.js';

/**
 * Whether the viewer may acknowledge or resolve leak alerts: a named
 * environment staff member (also enforced by the directive), so that who
 * took or closed an alert is always recorded.
 */
export function canHandleWaterLeakAlert(viewer: Viewer): boolean {
  return viewer.subject !== null && viewer.scopes.has(Scope.ENVIRONMENT_STAFF);
}
