// Internal to localdb: frames reply documents as OP_MSG or OP_REPLY.
import type { Document } from 'bson';
import { encodeDocument } from '../bsonCodec.js';
import { HEADER_SIZE, OpCode } from './opcodes.js';

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** An OP_MSG reply with one kind-0 section. */
export function encodeOpMsgReply(responseTo: number, reply: Document): Buffer {
  const doc = encodeDocument(reply);
  const length = HEADER_SIZE + 4 + 1 + doc.length;
  const prefix = Buffer.alloc(5); // flagBits = 0, section kind 0
  return Buffer.concat([
    header(length, responseTo, OpCode.OP_MSG),
    prefix,
    doc,
  ]);
}

/** An OP_REPLY with one document, the answer to a legacy OP_QUERY command. */
export function encodeOpReply(responseTo: number, reply: Document): Buffer {
  const doc = encodeDocument(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(8, 0); // responseFlags: AwaitCapable
  // cursorID (int64) = 0 at offset 4, startingFrom = 0 at 12
  fields.writeInt32LE(1, 16); // numberReturned
  const length = HEADER_SIZE + fields.length + doc.length;
  return Buffer.concat([
    header(length, responseTo, OpCode.OP_REPLY),
    fields,
    doc,
  ]);
}
