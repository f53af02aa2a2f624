// Internal to localdb: cuts a TCP byte stream into whole wire messages.
import { HEADER_SIZE, MAX_MESSAGE_SIZE } from './opcodes.js';

/** One complete wire message: its header fields and its body after the header. */
export interface RawMessage {
  requestId: number;
  responseTo: number;
  opCode: number;
  /** The bytes after the 16-byte header. */
  body: Buffer;
}

/** Thrown when the stream cannot be framed any more; the connection must be closed. */
export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

/**
 * Accumulates socket chunks and yields whole messages. Written by hand because the
 * framing is a 4-byte little-endian length prefix that no installed package parses
 * server-side. A length that is too small or larger than maxMessageSizeBytes cannot
 * be skipped safely, so it ends the connection rather than being buffered.
 */
export class MessageReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  readonly #maxMessageSize: number;

  constructor(maxMessageSize = MAX_MESSAGE_SIZE) {
    this.#maxMessageSize = maxMessageSize;
  }

  /** Adds a chunk and returns every message it completes. Throws FramingError on a bad length. */
  push(chunk: Buffer): RawMessage[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const out: RawMessage[] = [];
    for (;;) {
      if (this.#buffered < 4) break;
      const head = this.#peek(4);
      const length = head.readInt32LE(0);
      if (length < HEADER_SIZE) {
        throw new FramingError(
          `message length ${length} is smaller than the header`,
        );
      }
      if (length > this.#maxMessageSize) {
        throw new FramingError(
          `message length ${length} exceeds maxMessageSizeBytes ${this.#maxMessageSize}`,
        );
      }
      if (this.#buffered < length) break;
      const message = this.#take(length);
      out.push({
        requestId: message.readInt32LE(4),
        responseTo: message.readInt32LE(8),
        opCode: message.readInt32LE(12),
        body: message.subarray(HEADER_SIZE),
      });
    }
    return out;
  }

  /** Bytes of an incomplete message still held. */
  get pendingBytes(): number {
    return this.#buffered;
  }

  #peek(n: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) return first;
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined;
  }

  #take(n: number): Buffer {
    const joined = this.#peek(n);
    const taken = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered -= n;
    return taken;
  }
}
