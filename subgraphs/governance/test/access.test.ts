import { describe, expect, it } from 'vitest';
import { anonymousViewer, createViewer } from '../../../lib/runtime/viewer.js';
import { assertCanReadAuditTrail, canReadAuditTrail } from '../src/access.js';
import { auditEventQuery } from '../src/resolvers/Query.js';

describe('canReadAuditTrail', () => {
  it.each([
    ['anonymous', anonymousViewer, false, 'UNAUTHENTICATED'],
    ['citizen', createViewer('c', ['citizen']), false, 'FORBIDDEN'],
    [
      'engagement staff',
      createViewer('s', ['engagement:staff', 'engagement:pii']),
      false,
      'FORBIDDEN',
    ],
    ['auditor', createViewer('a', ['audit:read']), true, null],
  ])('%s → %s', (_, viewer, allowed, code) => {
    expect(canReadAuditTrail(viewer)).toBe(allowed);
    if (allowed)
      expect(() =>
        assertCanReadAuditTrail(viewer, 'Query.auditEvents'),
      ).not.toThrow();
    else
      expect(() =>
        assertCanReadAuditTrail(viewer, 'Query.auditEvents'),
      ).toThrow(expect.objectContaining({ code }));
  });
});

describe('auditEventQuery', () => {
  it('matches field and decision on the same entry', () => {
    expect(auditEventQuery({ field: 'A.b', decision: 'denied' })).toEqual({
      fields: { $elemMatch: { coordinate: 'A.b', decision: 'denied' } },
    });
  });

  it('combines subject, chain and time range', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    expect(auditEventQuery({ subject: 's', chainId: 'c', from })).toEqual({
      subject: 's',
      chainId: 'c',
      at: { $gte: from },
    });
  });

  it('is empty without a filter', () => {
    expect(auditEventQuery(null)).toEqual({});
  });
});
