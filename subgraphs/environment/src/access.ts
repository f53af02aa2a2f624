/**
 * Environment's document-level access predicates. Field rules are declared in
 * schema.graphql (`@requiresScopes`) and enforced by lib/records/access; these check
 * what a directive cannot: the state of the document itself.
 */
import { Scope } from '../../../lib/runtime/roles.js';
import type { Viewer } from '../../../lib/runtime/viewer.js';
import type { WaterLeakAlertDoc } from './models/index.js';

/**
 * Whether the viewer may acknowledge this leak alert: environment staff only
 * (also enforced by the directive), and only while it is OPEN, so the first
 * acknowledgement (who took it, when) is never overwritten.
 */
export function canAcknowledgeWaterLeakAlert(
  viewer: Viewer,
  alert: Pick<WaterLeakAlertDoc, 'status'>,
): boolean {
  return (
    viewer.subject !== null &&
    viewer.scopes.has(Scope.ENVIRONMENT_STAFF) &&
    alert.status === 'OPEN'
  );
}
