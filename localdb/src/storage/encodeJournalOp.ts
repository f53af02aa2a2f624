// Internal to localdb: a journal op's BSON, with a stored document's bytes reused.
import { encodeDocument } from '../bsonCodec.js';
import type { JournalOp } from './JournalOp.js';

/** Bytes of a BSON string element (type 2): type, name, NUL, int32 length, UTF-8, NUL. */
function stringElementSize(name: string, value: string): number {
  return 1 + name.length + 1 + 4 + Buffer.byteLength(value, 'utf8') + 1;
}

/** Writes a string element (`name` ASCII) at `at`; returns the offset after it. */
function writeStringElement(
  out: Buffer,
  at: number,
  name: string,
  value: string,
): number {
  out[at++] = 0x02;
  at += out.write(name, at, 'latin1');
  out[at++] = 0x00;
  const lengthAt = at;
  at += 4;
  const valueBytes = out.write(value, at, 'utf8');
  out.writeInt32LE(valueBytes + 1, lengthAt);
  at += valueBytes;
  out[at++] = 0x00;
  return at;
}

/**
 * The op's BSON as `serialize(op)` writes it (without `bytes`). A `put` that carries
 * its document's BSON (Collection encodes each written document once, to check its
 * size) embeds those bytes rather than encoding the document a second time.
 */
export function encodeJournalOp(op: JournalOp): Uint8Array {
  if (op.op !== 'put' || op.bytes === undefined) {
    if (op.op !== 'put') return encodeDocument(op);
    const { bytes: _none, ...plain } = op;
    return encodeDocument(plain);
  }
  // Written straight into one buffer: this runs for every document a write stores.
  const size =
    4 +
    stringElementSize('op', 'put') +
    stringElementSize('db', op.db) +
    stringElementSize('coll', op.coll) +
    (1 + 4 + op.bytes.length) +
    // After `doc`, as serialize writes the op's fields in their order.
    (op.rk === undefined ? 0 : stringElementSize('rk', op.rk)) +
    1;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32LE(size, 0);
  let at = writeStringElement(out, 4, 'op', 'put');
  at = writeStringElement(out, at, 'db', op.db);
  at = writeStringElement(out, at, 'coll', op.coll);
  out[at++] = 0x03;
  at += out.write('doc\0', at, 'latin1');
  out.set(op.bytes, at);
  at += op.bytes.length;
  if (op.rk !== undefined) at = writeStringElement(out, at, 'rk', op.rk);
  out[at] = 0x00;
  return out;
}
