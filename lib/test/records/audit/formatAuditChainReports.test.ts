import { describe, expect, it } from 'vitest';
import {
  formatAuditChainReports,
  parseAuditAnchors,
} from '../../../records/audit/index.js';

const hash = 'b'.repeat(64);

describe('formatAuditChainReports', () => {
  it('says when there is nothing to verify', () => {
    expect(formatAuditChainReports([])).toMatch(/No audit events/);
  });

  it('names the broken chain, seq and reason, and prints the head to anchor', () => {
    const text = formatAuditChainReports([
      {
        chainId: 'a',
        ok: true,
        events: 3,
        headSeq: 3,
        headHash: hash,
        headAt: new Date(0),
        break: null,
        checkpoint: null,
      },
      {
        chainId: 'b',
        ok: false,
        events: 9,
        headSeq: 10,
        headHash: hash,
        headAt: null,
        break: { seq: 4, reason: 'deleted', detail: 'seq 4 is missing' },
        checkpoint: null,
      },
    ]);
    expect(text).toContain('OK      chain a: 3 events, seq 1 to 3, intact.');
    expect(text).toContain(
      'BROKEN  chain b: breaks at seq 4 (deleted): seq 4 is missing.',
    );
    expect(text).toContain(`--anchor a:3:${hash}`);
    expect(text).toContain('1 of 2 chain(s) broken: b at seq 4.');
  });
});

describe('parseAuditAnchors', () => {
  it('reads chain ids that contain colons', () => {
    expect(parseAuditAnchors([`gw:eu:1:12:${hash}`])).toEqual({
      'gw:eu:1': { seq: 12, hash },
    });
  });

  it('names a malformed value', () => {
    expect(() => parseAuditAnchors(['gw:12:short'])).toThrow(/gw:12:short/);
  });
});
