import { describe, expect, it } from 'vitest';
import { canonicalJson, hashAuditEvent } from '../../../records/audit/index.js';

describe('canonicalJson', () => {
  it('sorts object keys at every level', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 2 }], c: null } }),
    ).toBe('{"a":{"c":null,"d":[2,{"e":2,"f":1}]},"b":1}');
  });

  it('serializes dates apart from strings', () => {
    const date = new Date('2026-11-25T08:00:00.000Z');
    expect(canonicalJson(date)).toBe('{"$date":"2026-11-25T08:00:00.000Z"}');
    expect(canonicalJson(date)).not.toBe(canonicalJson(date.toISOString()));
  });

  it('leaves out undefined members', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses values without a stable form', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(new Map())).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });
});

describe('hashAuditEvent', () => {
  const event = {
    chainId: 'c',
    seq: 1,
    at: new Date(0),
    prevHash: '0'.repeat(64),
    fields: [],
  };

  it('ignores _id and hash', () => {
    expect(hashAuditEvent({ ...event, _id: 'x', hash: 'y' })).toBe(
      hashAuditEvent(event),
    );
  });

  it('changes when any other field changes, is added or is removed', () => {
    const base = hashAuditEvent(event);
    expect(hashAuditEvent({ ...event, seq: 2 })).not.toBe(base);
    expect(hashAuditEvent({ ...event, prevHash: '1'.repeat(64) })).not.toBe(
      base,
    );
    expect(hashAuditEvent({ ...event, extra: true })).not.toBe(base);
    const { fields: _fields, ...without } = event;
    expect(hashAuditEvent(without)).not.toBe(base);
  });

  it('does not depend on key order', () => {
    expect(hashAuditEvent({ seq: 1, chainId: 'c' })).toBe(
      hashAuditEvent({ chainId: 'c', seq: 1 }),
    );
  });
});
