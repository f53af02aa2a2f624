import { deserialize, serialize, type Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { encodeOpMsgReply, encodeOpReply } from '../src/wire/encodeReply.js';

/** The message as framed before replies went through a scratch buffer, requestId zeroed. */
function expected(
  responseTo: number,
  reply: Document,
  opCode: number,
  fields: Buffer,
): Buffer {
  const doc = serialize(reply, { ignoreUndefined: true });
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + fields.length + doc.length, 0);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, fields, doc]);
}

function withoutRequestId(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeInt32LE(0, 4);
  return copy;
}

const replyFields = (): Buffer => {
  const f = Buffer.alloc(20);
  f.writeInt32LE(8, 0);
  f.writeInt32LE(1, 16);
  return f;
};

describe('encodeReply', () => {
  const small = { cursor: { firstBatch: [{ _id: 1, a: 'x' }], id: 0 }, ok: 1 };
  // Past the scratch buffer (1 MiB): framed through encodeDocument instead.
  const large = { big: 'y'.repeat(3 * 1024 * 1024), gone: undefined, ok: 1 };

  it('frames OP_MSG replies of any size as header, flags, kind 0 and the document', () => {
    for (const reply of [small, large, small]) {
      const bytes = encodeOpMsgReply(42, reply);
      // Buffer.equals: toEqual compares megabytes element by element.
      expect(
        withoutRequestId(bytes).equals(
          expected(42, reply, 2013, Buffer.alloc(5)),
        ),
      ).toBe(true);
      expect(deserialize(bytes.subarray(21))['ok']).toBe(1);
    }
  });

  it('frames OP_REPLY answers of any size with their fixed fields', () => {
    for (const reply of [small, large])
      expect(
        withoutRequestId(encodeOpReply(7, reply)).equals(
          expected(7, reply, 1, replyFields()),
        ),
      ).toBe(true);
  });

  it('gives each reply a buffer of its own, unchanged by later replies', () => {
    const first = encodeOpMsgReply(1, { n: 1, ok: 1 });
    const copy = Buffer.from(first);
    encodeOpMsgReply(2, { n: 2, s: 'other', ok: 1 });
    expect(first).toEqual(copy);
  });
});
