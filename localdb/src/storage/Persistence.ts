// Internal to localdb: the data directory (snapshot + journal files) and compaction.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { LocalDbLogger } from '../LocalDbLogger.js';
import type { JournalOp } from './JournalOp.js';
import { encodeJournalOp } from './encodeJournalOp.js';
import {
  RecordFile,
  encodeRecordFrame,
  frameRecord,
  readRecords,
} from './RecordFile.js';

const SNAPSHOT = 'snapshot.bson';
const JOURNAL_PATTERN = /^journal-(\d+)\.log$/;

function journalName(gen: number): string {
  return `journal-${String(gen).padStart(8, '0')}.log`;
}

/**
 * Journal records are cut at about this many bytes of ops (a record holds at least one
 * op, so one 16 MiB document makes one 16 MiB record). Records of one command form a
 * group (all but the last carry `more: true`) that replay applies whole or not at all.
 */
export const RECORD_TARGET_BYTES = 4 * 1024 * 1024;

/**
 * Encodes each op once and frames them as records of about RECORD_TARGET_BYTES, all
 * but the last marked `more` when `markMore` (a journal group; a snapshot's records
 * stand alone). Calls `write` with each frame as it is made.
 */
export function frameOps(
  ops: Iterable<JournalOp>,
  markMore: boolean,
  write: (frame: Buffer) => void,
): void {
  let batch: Uint8Array[] = [];
  let bytes = 0;
  for (const op of ops) {
    const encoded = encodeJournalOp(op);
    if (batch.length > 0 && bytes + encoded.length > RECORD_TARGET_BYTES) {
      write(encodeRecordFrame(batch, markMore));
      batch = [];
      bytes = 0;
    }
    batch.push(encoded);
    bytes += encoded.length;
  }
  if (batch.length > 0) write(encodeRecordFrame(batch, false));
}

/** Options for Persistence. */
export interface PersistenceOptions {
  dataDir: string;
  fsync: boolean;
  logger: LocalDbLogger;
  /** Failure injection, for tests only. */
  faults?: PersistenceFaults | undefined;
}

/** Failure injection for tests: a hook that throws makes that step fail as an I/O error would. */
export interface PersistenceFaults {
  /** Called before each journal append. */
  journal?: (() => void) | undefined;
  /** Called before each group fsync of the journal. */
  sync?: (() => void) | undefined;
  /** Called before each snapshot write. */
  snapshot?: (() => void) | undefined;
}

function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(fd, bytes, written, bytes.length - written);
  }
}

/**
 * Durability layout in a data directory:
 * - `journal-<gen>.log`: append-only records `{ ops: JournalOp[] }`, one group per write command.
 * - `snapshot.bson`: a header `{ snapshot: 1, journalGen }` then records that rebuild the
 *   whole state. It covers every journal older than `journalGen`.
 * Compaction opens journal `gen + 1`, writes the snapshot to a temporary file, fsyncs and
 * renames it into place (atomic), then deletes older journals. A crash at any step leaves
 * either the old snapshot with all its journals or the new one with the new journal.
 */
export class Persistence {
  readonly #dir: string;
  readonly #fsync: boolean;
  readonly #logger: LocalDbLogger;
  readonly #faults: PersistenceFaults;
  #gen = 0;
  #journal: RecordFile | undefined;
  #snapshotSize = 0;

  constructor(options: PersistenceOptions) {
    this.#dir = options.dataDir;
    this.#fsync = options.fsync;
    this.#logger = options.logger;
    this.#faults = options.faults ?? {};
  }

  /** Bytes of the snapshot the current journal follows (0 before the first). */
  get snapshotSize(): number {
    return this.#snapshotSize;
  }

  /** Bytes in the current journal. */
  get journalSize(): number {
    return this.#journal?.size ?? 0;
  }

  /**
   * Reads the snapshot and journals, handing each op to `apply` in order, then opens
   * the current journal for appending. A torn journal tail is cut off and logged.
   */
  open(apply: (op: JournalOp) => void): void {
    mkdirSync(this.#dir, { recursive: true });
    rmSync(join(this.#dir, `${SNAPSHOT}.tmp`), { force: true });
    const snapshotPath = join(this.#dir, SNAPSHOT);
    let gen = 0;
    if (existsSync(snapshotPath)) {
      const { records, goodLength, fileLength } = readRecords(snapshotPath);
      this.#snapshotSize = fileLength;
      const [header, ...rest] = records;
      if (
        header === undefined ||
        header['snapshot'] !== 1 ||
        goodLength !== fileLength
      ) {
        // The snapshot is written to a temporary file and renamed, so it is never torn by
        // a crash; damage here is disk corruption, and starting without it would lose data.
        throw new Error(
          `localdb: snapshot ${snapshotPath} is damaged; refusing to start`,
        );
      }
      gen = Number(header['journalGen']);
      for (const record of rest)
        for (const op of record['ops'] as JournalOp[]) apply(op);
    }
    const journals = readdirSync(this.#dir)
      .map((name) => JOURNAL_PATTERN.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    let current = gen;
    let currentLength: number | undefined;
    for (const g of journals) {
      const path = join(this.#dir, journalName(g));
      if (g < gen) {
        rmSync(path, { force: true });
        continue;
      }
      const { records, goodLength, fileLength } = readRecords(path);
      for (const record of records)
        for (const op of record['ops'] as JournalOp[]) apply(op);
      if (goodLength !== fileLength) {
        this.#logger.warn(
          {
            journal: path,
            droppedBytes: fileLength - goodLength,
            records: records.length,
          },
          'localdb: journal ends with a torn or corrupt record; dropped it',
        );
      }
      current = g;
      currentLength = goodLength;
    }
    this.#gen = current;
    this.#journal = RecordFile.open(
      join(this.#dir, journalName(current)),
      currentLength,
      this.#fsync,
      this.#faults.sync,
    );
  }

  /**
   * Appends one write command's ops as one group of records, written before this
   * returns. The promise (undefined without fsync) resolves once they are fsynced.
   */
  append(ops: readonly JournalOp[]): Promise<void> | undefined {
    const journal = this.#journal;
    if (journal === undefined) throw new Error('localdb: journal is not open');
    this.#faults.journal?.();
    const frames: Buffer[] = [];
    frameOps(ops, true, (f) => frames.push(f));
    journal.append(frames);
    return journal.durable();
  }

  /**
   * Writes the whole state as a new snapshot and starts a new, empty journal.
   * `stateOps` yields ops that rebuild the state from nothing. If anything fails, the
   * old snapshot and journal stay current and the error is thrown. Returns the new
   * snapshot's size in bytes.
   */
  compact(stateOps: Iterable<JournalOp>): number {
    let bytes = 0;
    const nextGen = this.#gen + 1;
    const nextPath = join(this.#dir, journalName(nextGen));
    const tmp = join(this.#dir, `${SNAPSHOT}.tmp`);
    const nextJournal = RecordFile.open(
      nextPath,
      0,
      this.#fsync,
      this.#faults.sync,
    );
    try {
      this.#faults.snapshot?.();
      const fd = openSync(tmp, 'w');
      try {
        const header = frameRecord({ snapshot: 1, journalGen: nextGen });
        writeAll(fd, header);
        bytes += header.length;
        frameOps(stateOps, false, (f) => {
          writeAll(fd, f);
          bytes += f.length;
        });
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(this.#dir, SNAPSHOT));
    } catch (err) {
      // Nothing changed: the old snapshot and journal stay current, the store keeps working.
      nextJournal.close();
      rmSync(nextPath, { force: true });
      rmSync(tmp, { force: true });
      throw err;
    }
    this.#syncDir();
    this.#journal?.close();
    const oldGen = this.#gen;
    this.#journal = nextJournal;
    this.#gen = nextGen;
    for (let g = 0; g <= oldGen; g += 1)
      rmSync(join(this.#dir, journalName(g)), { force: true });
    this.#snapshotSize = bytes;
    return bytes;
  }

  /** Flushes and closes the journal. */
  close(): void {
    this.#journal?.close();
    this.#journal = undefined;
  }

  #syncDir(): void {
    // fsync on the directory makes the rename durable; some platforms refuse it, which is harmless.
    try {
      const fd = openSync(this.#dir, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // ignored: see above
    }
  }
}
