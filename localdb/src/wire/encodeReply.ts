// Internal to localdb: frames reply documents as OP_MSG or OP_REPLY.
import { serializeWithBufferAndIndex, type Document } from 'bson';
import { encodeDocument } from '../bsonCodec.js';
import { HEADER_SIZE, OpCode } from './opcodes.js';

let nextRequestId = 1;

/** Bytes after the header: OP_MSG's flagBits and section kind; OP_REPLY's fixed fields. */
const OP_MSG_FIELDS = 5;
const OP_REPLY_FIELDS = 20;

/** Replies up to about this size are framed through one scratch buffer. */
const SCRATCH_BYTES = 1024 * 1024;

let scratch: Buffer | undefined;

function writeHeader(
  out: Buffer,
  length: number,
  responseTo: number,
  opCode: number,
): void {
  out.writeInt32LE(length, 0);
  out.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
}

function writeFields(out: Buffer, opCode: number): void {
  if (opCode === OpCode.OP_MSG) {
    out.fill(0, HEADER_SIZE, HEADER_SIZE + OP_MSG_FIELDS); // flagBits = 0, section kind 0
    return;
  }
  out.fill(0, HEADER_SIZE, HEADER_SIZE + OP_REPLY_FIELDS);
  out.writeInt32LE(8, HEADER_SIZE); // responseFlags: AwaitCapable
  // cursorID (int64) = 0 at offset 4, startingFrom = 0 at 12
  out.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
}

/**
 * The whole message in one buffer. A reply that fits the scratch buffer is serialized
 * there and copied out once, into a buffer of its exact length (pooled when small):
 * bson's `serialize` would copy it into a buffer of its own, and framing would copy that
 * again, two allocations per reply on every point read. A larger reply (or one bson
 * cannot serialize into the scratch buffer) takes encodeDocument, which handles any size.
 */
function frame(
  responseTo: number,
  reply: Document,
  opCode: number,
  fields: number,
): Buffer {
  const start = HEADER_SIZE + fields;
  scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
  let length: number | undefined;
  try {
    length =
      serializeWithBufferAndIndex(reply, scratch, {
        index: start,
        ignoreUndefined: true,
      }) + 1;
  } catch {
    // Past the scratch buffer (RangeError): framed below.
  }
  if (length !== undefined && length <= scratch.length) {
    const out = Buffer.allocUnsafe(length);
    writeHeader(out, length, responseTo, opCode);
    writeFields(out, opCode);
    scratch.copy(out, start, start, length);
    return out;
  }
  const doc = encodeDocument(reply);
  const out = Buffer.allocUnsafe(start + doc.length);
  writeHeader(out, start + doc.length, responseTo, opCode);
  writeFields(out, opCode);
  out.set(doc, start);
  return out;
}

/** An OP_MSG reply with one kind-0 section. */
export function encodeOpMsgReply(responseTo: number, reply: Document): Buffer {
  return frame(responseTo, reply, OpCode.OP_MSG, OP_MSG_FIELDS);
}

/** An OP_REPLY with one document, the answer to a legacy OP_QUERY command. */
export function encodeOpReply(responseTo: number, reply: Document): Buffer {
  return frame(responseTo, reply, OpCode.OP_REPLY, OP_REPLY_FIELDS);
}
