/**
 * Mobility's document-level access predicates. Field rules are declared in
 * schema.graphql (`@requiresScopes`) and enforced by lib/records/access; these check
 * what a directive cannot: the state of the document itself.
 */
import { Scope } from '../../../lib/runtime/roles.js';
import type { Viewer } from '../../../lib/runtime/viewer.js';
import type { TrafficLightDoc } from './models/index.js';

/**
 * Whether the viewer may put a new signal plan on this light: control staff
 * only (also enforced by the directive), and never on a light under
 * maintenance, whose plan the maintenance crew owns until it is back.
 */
export function canControlTrafficLight(
  viewer: Viewer,
  light: Pick<TrafficLightDoc, 'status'>,
): boolean {
  return (
    viewer.scopes.has(Scope.MOBILITY_CONTROL) && light.status !== 'MAINTENANCE'
  );
}

/**
 * Whether the viewer may change a light's status or report a fault on it: a
 * named mobility staff member (also enforced by the directive), so who
 * changed it is recorded. Which changes its status allows is its life
 * cycle's (`trafficLightLifecycle`, models/TrafficLight.ts).
 */
export function canChangeTrafficLightStatus(viewer: Viewer): boolean {
  return viewer.subject !== null && viewer.scopes.has(Scope.MOBILITY_STAFF);
}
