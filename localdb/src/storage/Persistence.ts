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
import { documentSize } from '../bsonCodec.js';
import type { LocalDbLogger } from '../LocalDbLogger.js';
import type { JournalOp } from './JournalOp.js';
import {
  RecordFile,
  frameRecord,
  readRecords,
  type SizedRecord,
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

/** Splits ops into records of about RECORD_TARGET_BYTES, all but the last marked `more`. */
export function* groupRecords(
  ops: Iterable<JournalOp>,
  markMore: boolean,
): Generator<SizedRecord> {
  let batch: JournalOp[] = [];
  let bytes = 0;
  let pending: SizedRecord | undefined;
  // `{ ops: [...], more: true }` adds to its ops' own sizes: the document's frame and
  // `ops`/`more` elements, and per op a type byte and its index key (at most 8 bytes).
  const bound = (n: number, opBytes: number) => opBytes + 8 * n + 32;
  for (const op of ops) {
    batch.push(op);
    bytes += documentSize(op);
    if (bytes >= RECORD_TARGET_BYTES) {
      if (pending !== undefined) yield pending;
      const sizeBound = bound(batch.length, bytes);
      pending = {
        record: markMore ? { ops: batch, more: true } : { ops: batch },
        sizeBound,
      };
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length === 0) {
    if (pending !== undefined)
      yield {
        record: { ops: pending.record['ops'] as JournalOp[] },
        sizeBound: pending.sizeBound,
      };
    return;
  }
  if (pending !== undefined) yield pending;
  yield { record: { ops: batch }, sizeBound: bound(batch.length, bytes) };
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
 * - `journal-<gen>.log`: append-only records `{ ops: JournalOp[] }`, one per write command.
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

  constructor(options: PersistenceOptions) {
    this.#dir = options.dataDir;
    this.#fsync = options.fsync;
    this.#logger = options.logger;
    this.#faults = options.faults ?? {};
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
    );
  }

  /** Appends one write command's ops as one record; returns once it is durable. */
  append(ops: readonly JournalOp[]): void {
    if (this.#journal === undefined)
      throw new Error('localdb: journal is not open');
    this.#faults.journal?.();
    this.#journal.append([...groupRecords(ops, true)]);
  }

  /**
   * Writes the whole state as a new snapshot and starts a new, empty journal.
   * `stateOps` yields ops that rebuild the state from nothing. If anything fails, the
   * old snapshot and journal stay current and the error is thrown.
   */
  compact(stateOps: Iterable<JournalOp>): void {
    const nextGen = this.#gen + 1;
    const nextPath = join(this.#dir, journalName(nextGen));
    const tmp = join(this.#dir, `${SNAPSHOT}.tmp`);
    const nextJournal = RecordFile.open(nextPath, 0, this.#fsync);
    try {
      this.#faults.snapshot?.();
      const fd = openSync(tmp, 'w');
      try {
        writeAll(fd, frameRecord({ snapshot: 1, journalGen: nextGen }));
        for (const { record, sizeBound } of groupRecords(stateOps, false))
          writeAll(fd, frameRecord(record, sizeBound));
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
