import { deserialize } from 'bson';
import { describe, expect, it } from 'vitest';
import { documentSize, encodeDocument } from '../src/bsonCodec.js';

describe('encodeDocument', () => {
  it('writes a document with one string longer than the 17 MiB shared buffer whole', () => {
    // The bson library alone returns this one truncated to about 17 MiB.
    const doc = { a: 'x'.repeat(18 * 1024 * 1024) };
    const bytes = encodeDocument(doc);
    expect(bytes.length).toBe(documentSize(doc));
    expect((deserialize(bytes) as { a: string }).a.length).toBe(doc.a.length);
  });

  it('writes a document of many small values past the shared buffer whole', () => {
    const doc = {
      arr: Array.from({ length: 300_000 }, (_, i) => ({
        i,
        s: 'y'.repeat(50),
      })),
    };
    const bytes = encodeDocument(doc);
    expect(bytes.length).toBe(documentSize(doc));
    expect((deserialize(bytes) as typeof doc).arr[299_999]).toEqual({
      i: 299_999,
      s: 'y'.repeat(50),
    });
    // About 25 MB encoded, decoded and sized: seconds on a loaded 2-core machine,
    // past vitest's 5 s default, without anything being wrong.
  }, 60_000);

  it('writes a small document as the bson library does, leaving undefined fields out', () => {
    const bytes = encodeDocument({ a: 1, b: undefined, c: 'z' });
    expect(deserialize(bytes)).toEqual({ a: 1, c: 'z' });
    expect(bytes.length).toBe(documentSize({ a: 1, c: 'z' }));
  });
});
