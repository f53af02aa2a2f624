// Internal to localdb: an append-only file of length- and checksum-framed BSON records.
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { crc32 } from 'node:zlib';
import type { Document } from 'bson';
import { deserialize } from 'bson';
import { DESERIALIZE_OPTIONS, encodeDocument } from '../bsonCodec.js';

/** Bytes before each record's payload: u32 payload length, u32 CRC-32 of the payload. */
const FRAME_HEADER = 8;

/** A record to append, with an upper bound of its BSON size when known (see frameRecord). */
export interface SizedRecord {
  readonly record: Document;
  readonly sizeBound?: number | undefined;
}

/** Result of reading a record file back. */
export interface ReadRecordsResult {
  records: Document[];
  /** Offset just past the last intact record that ends a group (see frameRecord). */
  goodLength: number;
  /** Total bytes in the file; greater than goodLength when a tail was dropped. */
  fileLength: number;
}

/**
 * Frames one BSON record, of any size. A record with `more: true` is continued by the
 * next one: a group of records ending with one without `more` is one atomic unit, so a
 * write too large for one comfortable record is split without losing atomicity.
 * `sizeBound`: an upper bound of the record's BSON size, when the caller knows one.
 */
export function frameRecord(record: Document, sizeBound?: number): Buffer {
  const payload = encodeDocument(record, sizeBound);
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER);
  return frame;
}

/**
 * Reads every intact record. Reading stops at the first record whose frame is
 * short, whose checksum does not match or whose BSON does not decode: that is a
 * write torn by a crash, and nothing after it can be trusted.
 * Hand-written because no installed package offers a checksummed record log;
 * the checksum itself is node:zlib's CRC-32.
 */
export function readRecords(path: string): ReadRecordsResult {
  const buf = readFileSync(path);
  const records: Document[] = [];
  let offset = 0;
  let goodLength = 0;
  let goodRecords = 0;
  while (offset + FRAME_HEADER <= buf.length) {
    const length = buf.readUInt32LE(offset);
    const sum = buf.readUInt32LE(offset + 4);
    const end = offset + FRAME_HEADER + length;
    if (length < 5 || end > buf.length) break;
    const payload = buf.subarray(offset + FRAME_HEADER, end);
    if (crc32(payload) !== sum) break;
    let record: Document;
    try {
      record = deserialize(payload, DESERIALIZE_OPTIONS);
    } catch {
      break;
    }
    records.push(record);
    offset = end;
    if (record['more'] !== true) {
      goodLength = offset;
      goodRecords = records.length;
    }
  }
  // An unfinished group is a write torn by a crash: drop all of it.
  records.length = goodRecords;
  return { records, goodLength, fileLength: buf.length };
}

/** An open record file that appends and optionally fsyncs each write. */
export class RecordFile {
  readonly path: string;
  #fd: number | undefined;
  #size: number;
  readonly #fsync: boolean;
  /** Set when a failed append could not be undone: no further append is safe. */
  #broken: string | undefined;

  private constructor(path: string, fd: number, size: number, fsync: boolean) {
    this.path = path;
    this.#fd = fd;
    this.#size = size;
    this.#fsync = fsync;
  }

  /** Opens (creating if needed) for appending; truncates to `length` first to drop a torn tail. */
  static open(
    path: string,
    length: number | undefined,
    fsync: boolean,
  ): RecordFile {
    const fd = openSync(path, 'a+');
    if (length !== undefined) ftruncateSync(fd, length);
    const size = fstatSync(fd).size;
    return new RecordFile(path, fd, size, fsync);
  }

  /** Bytes in the file. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends records as one write and, if enabled, fsyncs before returning, so the
   * caller can acknowledge the write. Synchronous on purpose: the reply must not
   * leave before the bytes are on disk.
   */
  append(records: readonly SizedRecord[]): void {
    const fd = this.#fd;
    if (fd === undefined) throw new Error(`journal ${this.path} is closed`);
    if (this.#broken !== undefined)
      throw new Error(
        `journal ${this.path} could not be repaired after a failed write (${this.#broken}); restart localdb`,
      );
    const before = this.#size;
    let size = before;
    try {
      for (const record of records) {
        const frame = frameRecord(record.record, record.sizeBound);
        let written = 0;
        while (written < frame.length) {
          written += writeSync(fd, frame, written, frame.length - written);
        }
        size += frame.length;
      }
      if (this.#fsync) fsyncSync(fd);
      this.#size = size;
    } catch (err) {
      // Leave the file as it was, so a write reported as failed never comes back at restart.
      try {
        ftruncateSync(fd, before);
        if (this.#fsync) fsyncSync(fd);
      } catch (repairErr) {
        this.#broken = (repairErr as Error).message;
      }
      throw err;
    }
  }

  /** Flushes and closes. */
  close(): void {
    if (this.#fd === undefined) return;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
