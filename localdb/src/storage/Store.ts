// Internal to localdb: all databases and collections, and the bridge to the journal.
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import type { LocalDbLogger } from '../LocalDbLogger.js';
import { Collection } from './Collection.js';
import type { JournalOp } from './JournalOp.js';
import { Persistence } from './Persistence.js';

/** Options for Store.open. */
export interface StoreOptions {
  /** Directory for snapshot and journal; omitted = in memory only. */
  dataDir?: string | undefined;
  /** fsync each journal write. @default true */
  fsync?: boolean | undefined;
  /** Compact the journal into a snapshot once it grows past this many bytes. @default 64 MiB */
  compactBytes?: number | undefined;
  logger: LocalDbLogger;
}

/** Records per snapshot record when compacting. */
const SNAPSHOT_BATCH = 1000;

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
  #replaying = false;
  readonly #record = (op: JournalOp): void => {
    if (!this.#replaying) this.#pending.push(op);
  };

  private constructor(
    persistence: Persistence | undefined,
    compactBytes: number,
  ) {
    this.#persistence = persistence;
    this.#compactBytes = compactBytes;
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
          });
    const store = new Store(
      persistence,
      options.compactBytes ?? 64 * 1024 * 1024,
    );
    if (persistence !== undefined) {
      store.#replaying = true;
      try {
        persistence.open((op) => store.#apply(op));
      } finally {
        store.#replaying = false;
      }
      if (persistence.journalSize > store.#compactBytes)
        persistence.compact(store.#stateRecords());
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
    const coll = new Collection(db, name, options, this.#record);
    colls.set(name, coll);
    this.#record({ op: 'createCollection', db, coll: name, options });
    return coll;
  }

  /** Drops a collection; returns false if it did not exist. */
  dropCollection(db: string, name: string): boolean {
    const removed = this.#dbs.get(db)?.delete(name) ?? false;
    if (removed) this.#record({ op: 'dropCollection', db, coll: name });
    return removed;
  }

  /** Drops a database and all its collections. */
  dropDatabase(db: string): void {
    if (this.#dbs.delete(db)) this.#record({ op: 'dropDatabase', db });
  }

  /**
   * Writes the ops of the command that just ran to the journal (fsynced if enabled)
   * and compacts when the journal has grown past the threshold. Call before replying.
   */
  flush(): void {
    if (this.#pending.length === 0) return;
    const ops = this.#pending;
    this.#pending = [];
    if (this.#persistence === undefined) return;
    this.#persistence.append(ops);
    if (this.#persistence.journalSize > this.#compactBytes) {
      this.#persistence.compact(this.#stateRecords());
    }
  }

  /** Writes a snapshot now (no-op in memory). */
  compact(): void {
    this.flush();
    this.#persistence?.compact(this.#stateRecords());
  }

  /** Flushes and closes the journal. */
  close(): void {
    this.flush();
    this.#persistence?.close();
  }

  *#stateRecords(): Generator<Document> {
    for (const [db, colls] of this.#dbs) {
      for (const coll of colls.values()) {
        const head: JournalOp[] = [
          {
            op: 'createCollection',
            db,
            coll: coll.name,
            options: coll.options,
          },
        ];
        for (const spec of coll.indexSpecs().slice(1)) {
          head.push({ op: 'createIndex', db, coll: coll.name, spec });
        }
        yield { ops: head };
        let batch: JournalOp[] = [];
        for (const doc of coll.values()) {
          batch.push({ op: 'put', db, coll: coll.name, doc });
          if (batch.length >= SNAPSHOT_BATCH) {
            yield { ops: batch };
            batch = [];
          }
        }
        if (batch.length > 0) yield { ops: batch };
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
      case 'dropDatabase':
        this.dropDatabase(op.db);
        return;
      case 'put':
        this.ensureCollection(op.db, op.coll).loadPut(op.doc);
        return;
      case 'del':
        this.getCollection(op.db, op.coll)?.loadDel(op.id);
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
