// Internal to localdb: all databases and collections, and the bridge to the journal.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import type { LocalDbLogger } from '../LocalDbLogger.js';
import { Collection, type RecordOp } from './Collection.js';
import { expireCollection } from './expire.js';
import type { JournalOp } from './JournalOp.js';
import { Persistence, type PersistenceFaults } from './Persistence.js';

/** Options for Store.open. */
export interface StoreOptions {
  /** Directory for snapshot and journal; omitted = in memory only. */
  dataDir?: string | undefined;
  /** fsync each journal write. @default true */
  fsync?: boolean | undefined;
  /**
   * Compact the journal into a snapshot once it grows past this many bytes, or past the
   * size of the last snapshot if that is larger. @default 64 MiB
   */
  compactBytes?: number | undefined;
  logger: LocalDbLogger;
  /** Failure injection, for tests only. */
  faults?: PersistenceFaults | undefined;
}

function validateCollectionName(name: string): void {
  if (name === '' || name.includes('$') || name.includes('\0')) {
    throw new CommandError(
      ErrorCode.InvalidNamespace,
      `Invalid collection name: ${name}`,
    );
  }
}

function validateDbName(name: string): void {
  if (name === '' || /[/\\. "$\0]/.test(name)) {
    throw new CommandError(
      ErrorCode.InvalidNamespace,
      `Invalid database name: '${name}'`,
    );
  }
}

/**
 * Holds every database. Collections report each change here; the ops collected
 * while one command runs are written to the journal as one record by `flush()`,
 * which the server calls before it sends the reply.
 */
export class Store {
  readonly #dbs = new Map<string, Map<string, Collection>>();
  readonly #persistence: Persistence | undefined;
  readonly #compactBytes: number;
  #pending: JournalOp[] = [];
  /** Inverses of the pending ops, run newest first if the journal write fails. */
  #undo: Array<() => void> = [];
  #replaying = false;
  /** Journal size at which the next compaction is attempted (pushed back after a failure). */
  #compactAt: number;
  readonly #record: RecordOp = (op, undo) => {
    if (this.#replaying) return;
    this.#pending.push(op);
    this.#undo.push(undo);
  };

  readonly #logger: LocalDbLogger;

  private constructor(
    persistence: Persistence | undefined,
    compactBytes: number,
    logger: LocalDbLogger,
  ) {
    this.#logger = logger;
    this.#persistence = persistence;
    this.#compactBytes = compactBytes;
    this.#compactAt = compactBytes;
  }

  /**
   * Where the journal is compacted next: once it outgrows the last snapshot (and at
   * least `compactBytes`), so rewriting the whole state costs at most what was
   * journaled since, however large the state grows, instead of one whole rewrite per
   * `compactBytes` of writes (quadratic in the state's size).
   */
  #threshold(): number {
    return Math.max(this.#compactBytes, this.#persistence?.snapshotSize ?? 0);
  }

  /** Opens the store, replaying the data directory if there is one. */
  static open(options: StoreOptions): Store {
    const persistence =
      options.dataDir === undefined
        ? undefined
        : new Persistence({
            dataDir: options.dataDir,
            fsync: options.fsync ?? true,
            logger: options.logger,
            faults: options.faults,
          });
    const store = new Store(
      persistence,
      options.compactBytes ?? 64 * 1024 * 1024,
      options.logger,
    );
    if (persistence !== undefined) {
      store.#replaying = true;
      try {
        persistence.open((op) => store.#apply(op));
      } finally {
        store.#replaying = false;
      }
      store.#compactAt = store.#threshold();
      store.#maybeCompact();
    }
    return store;
  }

  /** Names of databases holding at least one collection. */
  databaseNames(): string[] {
    return [...this.#dbs]
      .filter(([, colls]) => colls.size > 0)
      .map(([name]) => name);
  }

  /** Collections of a database. */
  collections(db: string): Collection[] {
    return [...(this.#dbs.get(db)?.values() ?? [])];
  }

  /** A collection, if it exists. */
  getCollection(db: string, name: string): Collection | undefined {
    return this.#dbs.get(db)?.get(name);
  }

  /** A collection, created (implicitly, as MongoDB does on first write) if missing. */
  ensureCollection(db: string, name: string): Collection {
    return this.getCollection(db, name) ?? this.createCollection(db, name, {});
  }

  /** Creates a collection; throws NamespaceExists if it exists. */
  createCollection(db: string, name: string, options: Document): Collection {
    validateDbName(db);
    validateCollectionName(name);
    let colls = this.#dbs.get(db);
    if (colls === undefined) {
      colls = new Map();
      this.#dbs.set(db, colls);
    }
    if (colls.has(name)) {
      throw new CommandError(
        ErrorCode.NamespaceExists,
        `Collection ${db}.${name} already exists.`,
      );
    }
    const coll = new Collection(
      db,
      name,
      options,
      this.#record,
      this.#persistence !== undefined,
    );
    colls.set(name, coll);
    const created = colls;
    this.#record({ op: 'createCollection', db, coll: name, options }, () => {
      if (created.get(name) === coll) created.delete(name);
    });
    return coll;
  }

  /** Drops a collection; returns false if it did not exist. */
  dropCollection(db: string, name: string): boolean {
    const colls = this.#dbs.get(db);
    const coll = colls?.get(name);
    if (colls === undefined || coll === undefined) return false;
    colls.delete(name);
    this.#record({ op: 'dropCollection', db, coll: name }, () =>
      colls.set(name, coll),
    );
    return true;
  }

  /** Drops a database and all its collections. */
  dropDatabase(db: string): void {
    const colls = this.#dbs.get(db);
    if (colls === undefined || !this.#dbs.delete(db)) return;
    this.#record({ op: 'dropDatabase', db }, () => this.#dbs.set(db, colls));
  }

  /**
   * Writes the ops of the command that just ran to the journal and compacts when the
   * journal has grown past the threshold. Call before replying: the ops are written
   * (they survive a crash of this process) when this returns; the promise, undefined
   * when there is nothing to wait for (no ops, no data directory, fsync off), resolves
   * once they are fsynced, and rejects if the fsync fails. Commands that write in one
   * turn of the event loop share one fsync (group commit).
   */
  flush(): Promise<void> | undefined {
    if (this.#pending.length === 0) return undefined;
    const ops = this.#pending;
    const undo = this.#undo;
    this.#pending = [];
    this.#undo = [];
    if (this.#persistence === undefined) return undefined;
    let durable: Promise<void> | undefined;
    try {
      durable = this.#persistence.append(ops);
    } catch (err) {
      // Not written, so not applied: commands run synchronously from their first change
      // to this flush, so no other client has seen these changes.
      for (let i = undo.length - 1; i >= 0; i -= 1) undo[i]?.();
      throw err;
    }
    this.#maybeCompact();
    return durable;
  }

  /** flush() for writes no client waits on (TTL removals): an fsync failure is logged. */
  #flushUnawaited(): void {
    this.flush()?.catch((err: unknown) =>
      this.#logger.error({ err }, 'localdb: journal fsync failed'),
    );
  }

  /**
   * One pass of the TTL monitor: removes expired documents from every collection and
   * journals the removals. Returns how many were removed.
   */
  expire(now: number = Date.now()): number {
    let removed = 0;
    for (const colls of this.#dbs.values())
      for (const coll of colls.values()) removed += expireCollection(coll, now);
    this.#flushUnawaited();
    return removed;
  }

  /** Writes a snapshot now (no-op in memory). */
  compact(): void {
    this.#flushUnawaited();
    this.#persistence?.compact(this.#stateOps());
    this.#compactAt = this.#threshold();
  }

  /**
   * Compacts once the journal has passed the threshold. A failed compaction is logged
   * and retried only after the journal grows by another threshold: the write that
   * triggered it is already written, and the old snapshot and journal stay valid.
   */
  #maybeCompact(): void {
    const persistence = this.#persistence;
    if (persistence === undefined || persistence.journalSize <= this.#compactAt)
      return;
    try {
      persistence.compact(this.#stateOps());
      this.#compactAt = this.#threshold();
    } catch (err) {
      this.#compactAt = persistence.journalSize + this.#threshold();
      this.#logger.error(
        { err },
        'localdb: compaction failed; the journal stays current',
      );
    }
  }

  /** Flushes and closes the journal. */
  close(): void {
    this.#flushUnawaited();
    this.#persistence?.close();
  }

  *#stateOps(): Generator<JournalOp> {
    for (const [db, colls] of this.#dbs) {
      for (const coll of colls.values()) {
        yield {
          op: 'createCollection',
          db,
          coll: coll.name,
          options: coll.options,
        };
        for (const name of coll.indexNames()) {
          const spec = coll.indexByName(name)?.spec;
          if (spec !== undefined)
            yield { op: 'createIndex', db, coll: coll.name, spec };
        }
        yield* coll.putOps();
      }
    }
  }

  #apply(op: JournalOp): void {
    switch (op.op) {
      case 'createCollection':
        if (this.getCollection(op.db, op.coll) === undefined) {
          this.createCollection(op.db, op.coll, op.options);
        }
        return;
      case 'dropCollection':
        this.dropCollection(op.db, op.coll);
        return;
      case 'setOptions':
        this.getCollection(op.db, op.coll)?.loadOptions(op.options);
        return;
      case 'dropDatabase':
        this.dropDatabase(op.db);
        return;
      case 'put':
        this.ensureCollection(op.db, op.coll).loadPut(op.doc, op.rk);
        return;
      case 'del':
        this.getCollection(op.db, op.coll)?.loadDel(op.id, op.rk);
        return;
      case 'createIndex':
        this.ensureCollection(op.db, op.coll).loadIndex(op.spec);
        return;
      case 'dropIndex':
        this.getCollection(op.db, op.coll)?.loadDropIndex(op.name);
        return;
    }
  }
}
