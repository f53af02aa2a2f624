/** `AuditEvent` and the enums of the audit trail (GraphQL names over the stored lowercase values). */
import type {
  AuditDecision,
  AuditOutcome as StoredAuditOutcome,
} from '../../../../lib/records/audit/index.js';
import type {
  AccessDecision as AccessDecisionName,
  AuditEventResolvers,
  AuditOutcome as AuditOutcomeName,
} from '../__generated__/resolvers-types.js';

export const AuditEvent: AuditEventResolvers = {
  id: (event) => `${event.chainId}:${event.seq}`,
};

/** Every GraphQL name of the enum, each to its stored value. */
export const AccessDecision = {
  ALLOWED: 'allowed',
  DENIED: 'denied',
} as const satisfies Record<AccessDecisionName, AuditDecision>;

export const AuditOutcome = {
  SUCCESS: 'success',
  PARTIAL: 'partial',
  ERROR: 'error',
  REFUSED: 'refused',
  STARTED: 'started',
} as const satisfies Record<AuditOutcomeName, StoredAuditOutcome>;
