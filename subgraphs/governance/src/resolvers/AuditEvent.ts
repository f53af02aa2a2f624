/** `AuditEvent` and the enums of the audit trail (GraphQL names over the stored lowercase values). */
import type {
  AuditDecision,
  AuditOutcome as StoredAuditOutcome,
} from '../../../../lib/records/audit/index.js';
import type {
  AccessDecision as AccessDecisionName,
  AuditEventResolvers,
  AuditOutcome as AuditOutcomeName,
  PersonalDataReadResolvers,
} from '../__generated__/resolvers-types.js';

export const AuditEvent: AuditEventResolvers = {
  id: (event) => `${event.chainId}:${event.seq}`,
  // Events written before records were reported have none.
  records: (event) => [...(event.records ?? [])],
  purpose: (event) => event.purpose ?? null,
};

/** One read of a citizen's personal data (`personalDataAccessReport`). */
export const PersonalDataRead: PersonalDataReadResolvers = {
  at: ({ event }) => event.at,
  reader: ({ event }) => event.subject,
  readerScopes: ({ event }) => event.scopes,
  purpose: ({ event }) => event.purpose ?? null,
  clientName: ({ event }) => event.clientName,
  operationName: ({ event }) => event.operationName,
  records: ({ records }) => [...records],
  eventId: ({ event }) => `${event.chainId}:${event.seq}`,
  requestId: ({ event }) => event.requestId,
};

/** Every GraphQL name of the enum, each to its stored value. */
export const AccessDecision = {
  ALLOWED: 'allowed',
  DENIED: 'denied',
  UNEVALUATED: 'unevaluated',
} as const satisfies Record<AccessDecisionName, AuditDecision>;

export const AuditOutcome = {
  SUCCESS: 'success',
  PARTIAL: 'partial',
  ERROR: 'error',
  REFUSED: 'refused',
  STARTED: 'started',
} as const satisfies Record<AuditOutcomeName, StoredAuditOutcome>;
