/** `AuditEvent` and the enums of the audit trail (GraphQL names over the stored lowercase values). */
import type { AuditEventDoc } from '../models/index.js';

export const AuditEvent = {
  id: (event: AuditEventDoc) => `${event.chainId}:${event.seq}`,
};

export const AccessDecision = { ALLOWED: 'allowed', DENIED: 'denied' };

export const AuditOutcome = {
  SUCCESS: 'success',
  PARTIAL: 'partial',
  ERROR: 'error',
  REFUSED: 'refused',
};
