// Internal to localdb: a journal op's BSON, with a stored document's bytes reused.
import { encodeDocument } from '../bsonCodec.js';
import type { JournalOp } from './JournalOp.js';

/** A BSON string element (type 2): name, int32 length with the NUL, UTF-8, NUL. */
function stringElement(name: string, value: string): Buffer {
  const nameBytes = Buffer.byteLength(name, 'utf8');
  const valueBytes = Buffer.byteLength(value, 'utf8');
  const out = Buffer.allocUnsafe(1 + nameBytes + 1 + 4 + valueBytes + 1);
  let at = 0;
  out[at++] = 0x02;
  at += out.write(name, at, 'utf8');
  out[at++] = 0x00;
  out.writeInt32LE(valueBytes + 1, at);
  at += 4;
  at += out.write(value, at, 'utf8');
  out[at] = 0x00;
  return out;
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
  const head = [
    stringElement('op', 'put'),
    stringElement('db', op.db),
    stringElement('coll', op.coll),
  ];
  // After `doc`, as serialize writes the op's fields in their order.
  const tail = op.rk === undefined ? [] : [stringElement('rk', op.rk)];
  let size = 4 + 1;
  for (const h of [...head, ...tail]) size += h.length;
  size += 1 + 4 + op.bytes.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32LE(size, 0);
  let at = 4;
  for (const h of head) {
    out.set(h, at);
    at += h.length;
  }
  out[at++] = 0x03;
  at += out.write('doc\0', at, 'latin1');
  out.set(op.bytes, at);
  at += op.bytes.length;
  for (const t of tail) {
    out.set(t, at);
    at += t.length;
  }
  out[at] = 0x00;
  return out;
}
