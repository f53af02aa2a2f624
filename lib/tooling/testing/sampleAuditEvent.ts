/**
 * Not a test: builds audit events for the audit trail tests (lib, gateway, scripts).
 */
import type { AuditEventInput } from '../../records/audit/index.js';

/** An audit event input with every field set; `overrides` replace members. */
export function sampleAuditEvent(
  overrides: Partial<AuditEventInput> = {},
): AuditEventInput {
  return {
    at: new Date('2026-11-25T08:00:00.000Z'),
    requestId: 'req-1',
    subject: 'auditor-01',
    scopes: ['audit:read'],
    clientName: 'dashboard',
    clientVersion: '1.2.3',
    operationName: 'Reports',
    documentHash: 'a'.repeat(64),
    fields: [
      {
        coordinate: 'CitizenReport.reporterEmail',
        rule: 'scope engagement:pii',
        decision: 'denied',
      },
    ],
    subgraphs: ['engagement'],
    outcome: 'partial',
    errorCodes: ['FORBIDDEN'],
    durationMs: 12.5,
    ...overrides,
  };
}
