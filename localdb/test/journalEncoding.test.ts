import { ObjectId, deserialize, serialize } from 'bson';
import { describe, expect, it } from 'vitest';
import { encodeDocument } from '../src/bsonCodec.js';
import { encodeJournalOp } from '../src/storage/encodeJournalOp.js';
import type { JournalOp } from '../src/storage/JournalOp.js';
import { encodeRecordFrame } from '../src/storage/RecordFile.js';

describe('journal encoding', () => {
  const doc = {
    _id: new ObjectId(),
    name: 'Canebière ✓',
    n: 1.5,
    at: new Date(3),
  };

  it('embeds a put’s document bytes as serialize would write the op', () => {
    const op: JournalOp = {
      op: 'put',
      db: 'mobilité',
      coll: 'readings',
      doc,
      bytes: encodeDocument(doc),
    };
    const plain = { op: 'put', db: 'mobilité', coll: 'readings', doc };
    expect(Buffer.from(encodeJournalOp(op))).toEqual(
      Buffer.from(serialize(plain)),
    );
    const { bytes: _b, ...withoutBytes } = op;
    expect(Buffer.from(encodeJournalOp({ ...withoutBytes }))).toEqual(
      Buffer.from(serialize(plain)),
    );
  });

  it('writes a duplicate measurement’s record key after the document, as serialize would', () => {
    const op: JournalOp = {
      op: 'put',
      db: 'mobility',
      coll: 'readings',
      doc,
      bytes: encodeDocument(doc),
      rk: 's"r1"\u00001',
    };
    const plain = {
      op: 'put',
      db: 'mobility',
      coll: 'readings',
      doc,
      rk: 's"r1"\u00001',
    };
    expect(Buffer.from(encodeJournalOp(op))).toEqual(
      Buffer.from(serialize(plain)),
    );
  });

  it('frames a record from encoded ops as serialize would write { ops, more }', () => {
    const ops: JournalOp[] = Array.from({ length: 12 }, (_, i) => ({
      op: 'del',
      db: 'app',
      coll: 'c',
      id: i,
    }));
    for (const more of [true, false]) {
      const frame = encodeRecordFrame(ops.map(encodeJournalOp), more);
      const payload = frame.subarray(8);
      expect(frame.readUInt32LE(0)).toBe(payload.length);
      const expected = serialize(more ? { ops, more: true } : { ops });
      expect(Buffer.from(payload)).toEqual(Buffer.from(expected));
      expect(deserialize(payload)['ops']).toHaveLength(12);
    }
  });
});
