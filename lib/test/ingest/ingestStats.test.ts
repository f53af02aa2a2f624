import { describe, expect, it } from 'vitest';
import {
  escapeKey,
  tallyBatch,
  unescapeKey,
} from '../../ingest/ingestStats.js';

const receivedAt = new Date('2026-12-02T04:40:00Z');
const observedAt = new Date('2026-12-02T03:55:00Z');

describe('tallyBatch', () => {
  it('counts receptions in the hour received and new readings in the hour observed', () => {
    const buckets = tallyBatch({
      source: { kind: 'partner', id: 'p' },
      receivedAt,
      outcomes: [
        { status: 'created', flags: ['IMPLAUSIBLE_VALUE'] },
        { status: 'duplicate', flags: [] },
        { status: 'rejected', reason: 'UNKNOWN_DEVICE' },
        { status: 'failed' },
      ],
      facts: [
        { type: 'T', deviceId: 'd.1', observedAt, score: 0.7 },
        { type: 'T', deviceId: 'd.1', observedAt, score: 1 },
        { type: 'T' },
        { type: 'T' },
      ],
    });
    expect(buckets).toEqual([
      {
        id: '2026-12-02T03:00:00.000Z|T|partner:p',
        source: { kind: 'partner', id: 'p' },
        type: 'T',
        hour: new Date('2026-12-02T03:00:00Z'),
        inc: { 'observed.d%2E1': 1 },
      },
      {
        id: '2026-12-02T04:00:00.000Z|T|partner:p',
        source: { kind: 'partner', id: 'p' },
        type: 'T',
        hour: new Date('2026-12-02T04:00:00Z'),
        inc: {
          received: 4,
          accepted: 2,
          duplicates: 1,
          flagged: 1,
          'flags.IMPLAUSIBLE_VALUE': 1,
          scoreSum: 1.7,
          rejected: 1,
          'rejections.UNKNOWN_DEVICE': 1,
          failed: 1,
        },
      },
    ]);
  });

  it('counts every device as the one source device:mqtt', () => {
    const [bucket] = tallyBatch({
      source: { kind: 'device', id: 'mob-ts-13201-01' },
      receivedAt,
      outcomes: [{ status: 'rejected', reason: 'OUT_OF_RANGE' }],
      facts: [{ type: 'T' }],
    });
    expect(bucket?.source).toEqual({ kind: 'device', id: 'mqtt' });
  });

  it('counts a replay as replayed, not received', () => {
    const [bucket] = tallyBatch({
      source: { kind: 'partner', id: 'p' },
      receivedAt,
      replay: true,
      outcomes: [{ status: 'rejected', reason: 'UNKNOWN_DEVICE' }],
      facts: [{ type: 'T' }],
    });
    expect(bucket?.inc).toEqual({ replayed: 1 });
  });
});

describe('escapeKey', () => {
  it('round-trips the characters a field name may not hold', () => {
    for (const id of ['mob-ts-13201-01', 'a.b', '$x', '50%.$'])
      expect(unescapeKey(escapeKey(id))).toBe(id);
    expect(escapeKey('a.b$%')).toBe('a%2Eb%24%25');
  });
});
