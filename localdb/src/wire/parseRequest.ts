// Internal to localdb: decodes OP_MSG and OP_QUERY bodies into a command document.
import type { Document } from 'bson';
import { decodeDocument } from '../bsonCodec.js';
import { MsgFlag, OpCode } from './opcodes.js';

/** A decoded command request. */
export interface CommandRequest {
  /** Which opcode it came in (the reply uses OP_MSG or OP_REPLY to match). */
  opCode: typeof OpCode.OP_MSG | typeof OpCode.OP_QUERY;
  /** The command document, with kind-1 document sequences merged in as arrays. */
  command: Document;
  /** The client asked for no reply (OP_MSG moreToCome). */
  moreToCome: boolean;
  /** For OP_QUERY: the database taken from `<db>.$cmd`. */
  legacyDb?: string;
}

/** The body of a message could not be parsed; the client gets an error reply. */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

/**
 * The wire BSON of each document an insert sent as a kind-1 `documents` sequence, so
 * the store can journal those bytes instead of encoding the decoded document again
 * (see takeWireBytes). Weak: a statement never inserted takes its bytes with it.
 */
const wireBytes = new WeakMap<Document, Uint8Array>();

/**
 * The BSON `doc` arrived as, if it came in a `documents` sequence, and forgets it: a
 * stored document must not keep its message's buffer alive. The bytes are a view of
 * the message, valid while the command that carries it runs.
 */
export function takeWireBytes(doc: Document): Uint8Array | undefined {
  const bytes = wireBytes.get(doc);
  if (bytes !== undefined) wireBytes.delete(doc);
  return bytes;
}

function readBsonAt(
  buf: Buffer,
  offset: number,
): { doc: Document; end: number } {
  if (offset + 5 > buf.length)
    throw new MalformedMessageError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > buf.length) {
    throw new MalformedMessageError(`invalid BSON document length ${size}`);
  }
  try {
    return {
      doc: decodeDocument(buf.subarray(offset, offset + size)),
      end: offset + size,
    };
  } catch (err) {
    throw new MalformedMessageError(`invalid BSON: ${(err as Error).message}`);
  }
}

function readCString(
  buf: Buffer,
  offset: number,
  limit: number,
): { value: string; end: number } {
  const nul = buf.indexOf(0, offset);
  if (nul < 0 || nul >= limit)
    throw new MalformedMessageError('unterminated C string');
  return { value: buf.toString('utf8', offset, nul), end: nul + 1 };
}

/**
 * Parses an OP_MSG body (flagBits, sections, optional checksum).
 * See https://github.com/mongodb/specifications/blob/master/source/message/OP_MSG.md
 */
export function parseOpMsg(body: Buffer): CommandRequest {
  if (body.length < 5) throw new MalformedMessageError('OP_MSG too short');
  const flags = body.readUInt32LE(0);
  // The checksum (CRC-32C) is optional and drivers do not send it over TCP; it is skipped, not checked.
  const end = flags & MsgFlag.checksumPresent ? body.length - 4 : body.length;
  let offset = 4;
  let command: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = body[offset];
    offset += 1;
    if (kind === 0) {
      if (command !== undefined)
        throw new MalformedMessageError('more than one kind-0 section');
      const { doc, end: next } = readBsonAt(body, offset);
      command = doc;
      offset = next;
    } else if (kind === 1) {
      if (offset + 4 > end)
        throw new MalformedMessageError('truncated document sequence');
      const size = body.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end)
        throw new MalformedMessageError('invalid document sequence size');
      const id = readCString(body, offset + 4, seqEnd);
      const docs: Document[] = [];
      const keep = id.value === 'documents';
      let p = id.end;
      while (p < seqEnd) {
        const { doc, end: next } = readBsonAt(body, p);
        if (next > seqEnd)
          throw new MalformedMessageError('document overruns its sequence');
        if (keep) wireBytes.set(doc, body.subarray(p, next));
        docs.push(doc);
        p = next;
      }
      sequences.push([id.value, docs]);
      offset = seqEnd;
    } else {
      throw new MalformedMessageError(
        `unknown OP_MSG section kind ${String(kind)}`,
      );
    }
  }
  if (command === undefined)
    throw new MalformedMessageError('OP_MSG without a kind-0 section');
  for (const [id, docs] of sequences) {
    if (id in command)
      throw new MalformedMessageError(`duplicate field ${id} in OP_MSG`);
    command[id] = docs;
  }
  return {
    opCode: OpCode.OP_MSG,
    command,
    moreToCome: (flags & MsgFlag.moreToCome) !== 0,
  };
}

/**
 * Parses a legacy OP_QUERY, which drivers send only as the first `hello`/`isMaster`
 * on a connection. Only commands (`<db>.$cmd`) are accepted.
 */
export function parseOpQuery(body: Buffer): CommandRequest {
  if (body.length < 4) throw new MalformedMessageError('OP_QUERY too short');
  const ns = readCString(body, 4, body.length);
  const offset = ns.end + 8; // numberToSkip, numberToReturn
  let { doc } = readBsonAt(body, offset);
  const dot = ns.value.indexOf('.');
  const db = dot > 0 ? ns.value.slice(0, dot) : ns.value;
  if (!ns.value.endsWith('.$cmd')) {
    throw new MalformedMessageError(
      'OP_QUERY is only supported for commands (<db>.$cmd)',
    );
  }
  // Old shells wrap the command as { $query: {...}, $readPreference: ... }.
  if (doc['$query'] !== undefined && typeof doc['$query'] === 'object') {
    doc = doc['$query'] as Document;
  }
  return {
    opCode: OpCode.OP_QUERY,
    command: doc,
    moreToCome: false,
    legacyDb: db,
  };
}
