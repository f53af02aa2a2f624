// Internal to localdb: an append-only file of length- and checksum-framed BSON records.
import {
  closeSync,
  fstatSync,
  fsync,
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

/** Result of reading a record file back. */
export interface ReadRecordsResult {
  records: Document[];
  /** Offset just past the last intact record that ends a group (see encodeRecordFrame). */
  goodLength: number;
  /** Total bytes in the file; greater than goodLength when a tail was dropped. */
  fileLength: number;
}

/** Frames an encoded BSON payload: `u32 length | u32 CRC-32 | payload`. */
function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, FRAME_HEADER);
  return out;
}

/** Frames one BSON record, of any size (the snapshot's header). */
export function frameRecord(record: Document): Buffer {
  return frame(encodeDocument(record));
}

/**
 * Frames the record `{ ops: [...], more: true }` (or without `more`) from its ops'
 * BSON, each encoded once (see encodeJournalOp), so the record is neither encoded
 * again nor measured: its size is the sum of theirs. A record with `more: true` is
 * continued by the next one: a group of records ending with one without `more` is
 * one atomic unit, so a write too large for one comfortable record is split without
 * losing atomicity.
 */
export function encodeRecordFrame(
  ops: readonly Uint8Array[],
  more: boolean,
): Buffer {
  // BSON: int32 size, elements, 0. `ops` is an array (type 4) of documents (type 3)
  // whose element names are their indexes; `more` a boolean (type 8).
  let arrayBytes = 4 + 1;
  for (const [i, op] of ops.entries())
    arrayBytes += 1 + String(i).length + 1 + op.length;
  const payloadBytes = 4 + (1 + 4) + arrayBytes + (more ? 1 + 5 + 1 : 0) + 1;
  const out = Buffer.allocUnsafe(FRAME_HEADER + payloadBytes);
  let at = FRAME_HEADER;
  out.writeInt32LE(payloadBytes, at);
  at += 4;
  out[at++] = 0x04;
  at += out.write('ops\0', at, 'latin1');
  out.writeInt32LE(arrayBytes, at);
  at += 4;
  for (const [i, op] of ops.entries()) {
    out[at++] = 0x03;
    at += out.write(`${i}\0`, at, 'latin1');
    out.set(op, at);
    at += op.length;
  }
  out[at++] = 0x00;
  if (more) {
    out[at++] = 0x08;
    at += out.write('more\0', at, 'latin1');
    out[at++] = 0x01;
  }
  out[at++] = 0x00;
  const payload = out.subarray(FRAME_HEADER, at);
  out.writeUInt32LE(payloadBytes, 0);
  out.writeUInt32LE(crc32(payload), 4);
  return out;
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

/** A write waiting for the fsync that makes it durable. */
interface SyncWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * An open record file that appends and, if enabled, fsyncs. Appends are written
 * synchronously (so they are in the operating system's hands, and survive a crash of
 * this process, before anything else runs); fsyncs are group commits: every append
 * made while one fsync is scheduled or running is covered by the next single fsync,
 * run off the event loop.
 */
export class RecordFile {
  readonly path: string;
  #fd: number | undefined;
  #size: number;
  readonly #fsync: boolean;
  /** Set when a failed append could not be undone, or an fsync failed: no further append is safe. */
  #broken: string | undefined;
  /** Appends not yet covered by a started fsync. */
  #waiting: SyncWaiter[] = [];
  /** An fsync is scheduled or running. */
  #syncing = false;
  /** close() came while an fsync was in flight: the descriptor is closed once it ends. */
  #closing = false;
  readonly #beforeSync: (() => void) | undefined;

  private constructor(
    path: string,
    fd: number,
    size: number,
    fsync: boolean,
    beforeSync: (() => void) | undefined,
  ) {
    this.path = path;
    this.#fd = fd;
    this.#size = size;
    this.#fsync = fsync;
    this.#beforeSync = beforeSync;
  }

  /**
   * Opens (creating if needed) for appending; truncates to `length` first to drop a torn
   * tail. `beforeSync` (tests only) runs before each group fsync; throwing fails it.
   */
  static open(
    path: string,
    length: number | undefined,
    fsync: boolean,
    beforeSync?: () => void,
  ): RecordFile {
    const fd = openSync(path, 'a+');
    if (length !== undefined) ftruncateSync(fd, length);
    const size = fstatSync(fd).size;
    return new RecordFile(path, fd, size, fsync, beforeSync);
  }

  /** Bytes in the file. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends framed records (encodeRecordFrame) as one write. Synchronous on purpose:
   * the bytes are written before any other command runs. A failed write is cut off
   * again, so a write reported as failed never comes back at restart. Returns once
   * written; `durable()` tells when it is on disk.
   */
  append(frames: readonly Buffer[]): void {
    const fd = this.#fd;
    if (fd === undefined || this.#closing)
      throw new Error(`journal ${this.path} is closed`);
    if (this.#broken !== undefined)
      throw new Error(
        `journal ${this.path} could not be repaired after a failed write (${this.#broken}); restart localdb`,
      );
    const before = this.#size;
    let size = before;
    try {
      for (const f of frames) {
        let written = 0;
        while (written < f.length) {
          written += writeSync(fd, f, written, f.length - written);
        }
        size += f.length;
      }
      this.#size = size;
    } catch (err) {
      try {
        ftruncateSync(fd, before);
      } catch (repairErr) {
        this.#broken = (repairErr as Error).message;
      }
      throw err;
    }
  }

  /**
   * Resolves once everything appended so far is fsynced (at once without fsync). One
   * fsync serves every append made before it starts: it starts on the next turn of
   * the event loop, after the commands already read have run, or when the previous
   * fsync ends. A failed fsync rejects the writes it covered and breaks the file.
   */
  durable(): Promise<void> | undefined {
    if (!this.#fsync) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (!this.#syncing) this.#scheduleSync();
    });
  }

  #scheduleSync(): void {
    this.#syncing = true;
    setImmediate(() => {
      const fd = this.#fd;
      const batch = this.#waiting;
      this.#waiting = [];
      if (fd === undefined) {
        // close() fsynced everything and settled the waiters.
        this.#syncing = false;
        for (const w of batch) w.resolve();
        return;
      }
      const synced = (err: Error | null): void => {
        if (err !== null) {
          this.#broken = `fsync failed: ${err.message}`;
          for (const w of batch) w.reject(err);
        } else {
          for (const w of batch) w.resolve();
        }
        if (this.#closing) {
          this.#syncing = false;
          this.#finishClose(fd);
        } else if (this.#waiting.length > 0) this.#scheduleSync();
        else this.#syncing = false;
      };
      try {
        this.#beforeSync?.();
      } catch (err) {
        synced(err as Error);
        return;
      }
      fsync(fd, synced);
    });
  }

  #finishClose(fd: number): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    try {
      fsyncSync(fd);
      for (const w of waiting) w.resolve();
    } catch (err) {
      for (const w of waiting) w.reject(err as Error);
    } finally {
      closeSync(fd);
      if (this.#fd === fd) this.#fd = undefined;
    }
  }

  /**
   * Flushes and closes: everything appended is fsynced before this returns. With an
   * fsync in flight, the descriptor itself is closed when it ends (closing it under
   * a running fsync could hand the number to another file).
   */
  close(): void {
    const fd = this.#fd;
    if (fd === undefined || this.#closing) return;
    if (this.#syncing) {
      this.#closing = true;
      const waiting = this.#waiting;
      this.#waiting = [];
      fsyncSync(fd);
      for (const w of waiting) w.resolve();
      return;
    }
    this.#finishClose(fd);
  }
}
