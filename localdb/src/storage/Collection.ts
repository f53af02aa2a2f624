// Internal to localdb: one collection's documents and indexes.
import { ObjectId, type Document } from 'bson';
import { documentSize, encodeDocument } from '../bsonCodec.js';
import { CommandError, ErrorCode } from '../errors.js';
import { Index, duplicateKeyError } from './Index.js';
import type { JournalOp } from './JournalOp.js';
import { keyOf } from './keyOf.js';
import {
  checkTimeField,
  timeSeriesOf,
  type TimeSeriesOptions,
} from './timeSeries.js';

/** The `_id` index, always present and unique. */
const ID_INDEX_SPEC: Document = { v: 2, key: { _id: 1 }, name: '_id_' };

/**
 * Receives every state change, so the store can journal it, with the change's inverse,
 * which the store runs if the journal write fails.
 */
export type RecordOp = (op: JournalOp, undo: () => void) => void;

/** MongoDB's largest document (maxBsonObjectSize). */
export const MAX_DOCUMENT_SIZE = 16 * 1024 * 1024;

/**
 * Separates a duplicate measurement's record key from its `_id` key: keyOf never
 * writes a NUL (its strings are JSON, which escapes it).
 */
const DUPLICATE_MARK = '\u0000';

/**
 * A collection: documents in a `Map` keyed by the canonical `_id` key (insertion
 * order is natural order), plus secondary indexes. Stored documents are never
 * mutated in place: an update stores a new object, so a cursor's batch keeps
 * the version it read.
 *
 * A time-series collection has no `_id` index, as in MongoDB, and so accepts a second
 * measurement with an `_id` already stored: the first one's record key is its `_id`
 * key, a later one's that key, a NUL and a sequence number (kept in `#duplicates`, and
 * journaled with its ops as `rk`). Index entries name documents by record key.
 */
export class Collection {
  readonly db: string;
  readonly name: string;
  readonly options: Document;
  readonly #docs = new Map<string, Document>();
  readonly #indexes = new Map<string, Index>();
  readonly #record: RecordOp;
  /** `_id` in order, for ranges and sorts on `_id` (point lookups use the Map); none for time series. */
  readonly #idIndex: Index | undefined;
  /** Time series: record keys of later measurements sharing an `_id` key, by that key. */
  readonly #duplicates = new Map<string, Set<string>>();
  #duplicateSeq = 0;
  #planIndexes: Index[] | undefined;
  readonly #timeSeries: TimeSeriesOptions | undefined;
  /** Changes go to a journal: each written document is encoded once, for its size and the journal. */
  readonly #journaled: boolean;

  /**
   * `journaled`: the store writes changes to a journal, so a written document's BSON
   * (encoded anyway to check its size) is handed over with its op.
   */
  constructor(
    db: string,
    name: string,
    options: Document,
    record: RecordOp,
    journaled = false,
  ) {
    this.db = db;
    this.name = name;
    this.options = options;
    this.#record = record;
    this.#journaled = journaled;
    this.#timeSeries = timeSeriesOf(options);
    this.#idIndex =
      this.#timeSeries === undefined ? new Index(ID_INDEX_SPEC) : undefined;
  }

  /** `<db>.<collection>` */
  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get size(): number {
    return this.#docs.size;
  }

  /** All documents in natural order. */
  values(): IterableIterator<Document> {
    return this.#docs.values();
  }

  /** The document whose `_id` equals `id` (a time series' first such measurement). */
  getById(id: unknown): Document | undefined {
    return this.docsById(id)[0];
  }

  /** Every document whose `_id` equals `id`: one at most, except in a time series. */
  docsById(id: unknown): Document[] {
    const idKey = keyOf(id);
    const first = this.#docs.get(idKey);
    const more = this.#duplicates.get(idKey);
    const out = first === undefined ? [] : [first];
    if (more !== undefined) out.push(...this.byIdKeys(more));
    return out;
  }

  /** Index specs as listIndexes reports them, `_id_` first (a time series has none). */
  indexSpecs(): Document[] {
    const secondary = [...this.#indexes.values()].map((i) => i.spec);
    return this.#idIndex === undefined
      ? secondary
      : [ID_INDEX_SPEC, ...secondary];
  }

  /** Ordered indexes the planner may use: `_id_`, then every maintained secondary index. */
  planIndexes(): readonly Index[] {
    this.#planIndexes ??= [
      ...(this.#idIndex === undefined ? [] : [this.#idIndex]),
      ...[...this.#indexes.values()].filter((i) => i.maintained),
    ];
    return this.#planIndexes;
  }

  /** An index by name, `_id_` included. */
  indexByName(name: string): Index | undefined {
    return name === '_id_' ? this.#idIndex : this.#indexes.get(name);
  }

  /** Ops that rebuild the documents (a snapshot), with a duplicate measurement's record key. */
  *putOps(): Generator<JournalOp> {
    for (const [rk, doc] of this.#docs)
      yield rk.includes(DUPLICATE_MARK)
        ? { op: 'put', db: this.db, coll: this.name, doc, rk }
        : { op: 'put', db: this.db, coll: this.name, doc };
  }

  /** The document whose `_id` key is `idKey`. */
  getByIdKey(idKey: string): Document | undefined {
    return this.#docs.get(idKey);
  }

  /** Documents whose `_id` key is in `idKeys`. */
  byIdKeys(idKeys: Iterable<string>): Document[] {
    const out: Document[] = [];
    for (const k of idKeys) {
      const d = this.#docs.get(k);
      if (d !== undefined) out.push(d);
    }
    return out;
  }

  /**
   * Inserts a new document, giving it an ObjectId `_id` (first field) if it has none.
   * Throws E11000 on a duplicate `_id` or unique key. `wire`: the BSON `input` was
   * decoded from, if at hand (an insert's document sequence): it is journaled as is,
   * and is the size MongoDB checks, unless the `_id` had to be added or moved first.
   */
  insert(input: Document, wire?: Uint8Array): Document {
    // MongoDB stores _id as the first field, generating an ObjectId when it is absent.
    let doc = input;
    if (input['_id'] === undefined || Object.keys(input)[0] !== '_id') {
      const { _id, ...rest } = input;
      doc = { _id: _id ?? new ObjectId(), ...rest };
    }
    if (this.#timeSeries !== undefined) checkTimeField(this.#timeSeries, doc);
    if (Array.isArray(doc['_id'])) {
      throw new CommandError(ErrorCode.BadValue, "can't use an array for _id");
    }
    let idKey = keyOf(doc['_id']);
    if (this.#docs.has(idKey)) {
      if (this.#idIndex !== undefined)
        throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, doc);
      idKey = `${idKey}${DUPLICATE_MARK}${(this.#duplicateSeq += 1)}`;
    }
    // The stored document is `wire` decoded, so replaying `wire` gives it back: no need
    // to encode it again (about a tenth of an ingested reading's CPU).
    const raw = doc === input ? wire : undefined;
    const bytes = this.#journaled ? (raw ?? encodeDocument(doc)) : undefined;
    const size = bytes?.length ?? raw?.length ?? documentSize(doc);
    if (size > MAX_DOCUMENT_SIZE) {
      throw new CommandError(
        ErrorCode.BSONObjectTooLarge,
        `object to insert too large. size in bytes: ${size}, max size: ${MAX_DOCUMENT_SIZE}`,
      );
    }
    const keys = this.#checkIndexes(doc, idKey);
    this.#set(idKey, doc);
    this.#addKeys(keys, idKey);
    this.#record(this.#putOp(idKey, doc, bytes), () => this.#unload(idKey));
    return doc;
  }

  /**
   * Replaces `oldDoc` (same `_id`) by `newDoc`. Throws E11000 on a unique key.
   * `changed`, when given, names every top-level field that differs between the two:
   * indexes on other fields keep their entries untouched.
   */
  replace(
    oldDoc: Document,
    newDoc: Document,
    changed?: ReadonlySet<string>,
  ): void {
    const idKey = this.#recordKeyOf(oldDoc);
    if (keyOf(newDoc['_id']) !== keyOf(oldDoc['_id'])) {
      throw new CommandError(
        ErrorCode.ImmutableField,
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    }
    const bytes = this.#journaled ? encodeDocument(newDoc) : undefined;
    if ((bytes?.length ?? documentSize(newDoc)) > MAX_DOCUMENT_SIZE) {
      throw new CommandError(
        ErrorCode.Location17419,
        `Resulting document after update is larger than ${MAX_DOCUMENT_SIZE}`,
      );
    }
    const affected: Index[] = [];
    for (const index of this.#indexes.values())
      if (changed === undefined || index.dependsOn(changed))
        affected.push(index);
    // Every check before any change, so a refused update leaves the indexes as they were.
    const newKeys = affected.map((index) => {
      index.checkGeo(newDoc);
      const keys = index.keysOf(newDoc);
      index.checkUnique(keys, idKey, newDoc, this.ns);
      return keys;
    });
    for (const [i, index] of affected.entries()) {
      index.remove(index.keysOf(oldDoc), idKey);
      index.add(newKeys[i] ?? [], idKey);
    }
    this.#docs.set(idKey, newDoc);
    this.#record(this.#putOp(idKey, newDoc, bytes), () =>
      this.loadPut(oldDoc, idKey),
    );
  }

  /** Removes a document. */
  remove(doc: Document): void {
    const idKey = this.#recordKeyOf(doc);
    const stored = this.#docs.get(idKey);
    if (stored === undefined) return;
    this.#unload(idKey);
    const op: JournalOp = idKey.includes(DUPLICATE_MARK)
      ? { op: 'del', db: this.db, coll: this.name, id: doc['_id'], rk: idKey }
      : { op: 'del', db: this.db, coll: this.name, id: doc['_id'] };
    this.#record(op, () => this.loadPut(stored, idKey));
  }

  /**
   * Creates an index, checking existing documents against it first if unique.
   * Returns false if an identical index already exists.
   */
  createIndex(spec: Document): boolean {
    const index = new Index(spec);
    if (index.name === '_id_' || keyOf(index.key) === keyOf({ _id: 1 })) {
      return false;
    }
    const existing = this.#indexes.get(index.name);
    if (existing !== undefined) {
      if (keyOf(existing.key) !== keyOf(index.key)) {
        throw new CommandError(
          ErrorCode.IndexKeySpecsConflict,
          `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(index.spec)}, existing index: ${JSON.stringify(existing.spec)}`,
        );
      }
      if (
        existing.unique !== index.unique ||
        existing.sparse !== index.sparse
      ) {
        throw new CommandError(
          ErrorCode.IndexOptionsConflict,
          `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(index.spec)}, existing index: ${JSON.stringify(existing.spec)}`,
        );
      }
      return false;
    }
    for (const other of this.#indexes.values()) {
      if (
        keyOf(other.key) === keyOf(index.key) &&
        other.unique !== index.unique
      ) {
        throw new CommandError(
          ErrorCode.IndexOptionsConflict,
          `Index already exists with a different name: ${other.name}`,
        );
      }
    }
    for (const [idKey, doc] of this.#docs) {
      index.checkGeo(doc);
      const keys = index.keysOf(doc);
      index.checkUnique(keys, idKey, doc, this.ns);
      index.add(keys, idKey);
    }
    this.#indexes.set(index.name, index);
    this.#planIndexes = undefined;
    this.#record(
      { op: 'createIndex', db: this.db, coll: this.name, spec: index.spec },
      () => this.loadDropIndex(index.name),
    );
    return true;
  }

  /** Replaces the collection's options (collMod: validator, expireAfterSeconds); journaled. */
  setOptions(options: Document): void {
    const old = { ...this.options };
    this.loadOptions(options);
    this.#record(
      { op: 'setOptions', db: this.db, coll: this.name, options },
      () => this.loadOptions(old),
    );
  }

  /** Replay: replaces the options without journaling. */
  loadOptions(options: Document): void {
    for (const key of Object.keys(this.options)) delete this.options[key];
    Object.assign(this.options, options);
  }

  /** Drops an index by name. Throws IndexNotFound. */
  dropIndex(name: string): void {
    if (name === '_id_') {
      throw new CommandError(ErrorCode.InvalidOptions, 'cannot drop _id index');
    }
    this.#planIndexes = undefined;
    const dropped = this.#indexes.get(name);
    if (dropped === undefined || !this.#indexes.delete(name)) {
      throw new CommandError(
        ErrorCode.IndexNotFound,
        `index not found with name [${name}]`,
      );
    }
    this.#record({ op: 'dropIndex', db: this.db, coll: this.name, name }, () =>
      this.loadIndex(dropped.spec),
    );
  }

  /** Names of the secondary indexes. */
  indexNames(): string[] {
    return [...this.#indexes.keys()];
  }

  /**
   * Replay: sets a document without checks or journaling. `rk`: its record key, when
   * not its `_id` key (a time series' duplicate measurement).
   */
  loadPut(doc: Document, rk?: string): void {
    const idKey = rk ?? keyOf(doc['_id']);
    const old = this.#docs.get(idKey);
    if (old !== undefined) {
      for (const index of this.#indexes.values())
        index.remove(index.keysOf(old), idKey);
    }
    this.#set(idKey, doc);
    this.#idIndex?.add([[doc['_id']]], idKey);
    for (const index of this.#indexes.values())
      index.add(index.keysOf(doc), idKey);
  }

  /** Replay: removes a document by `_id` (or record key `rk`) without journaling. */
  loadDel(id: unknown, rk?: string): void {
    this.#unload(rk ?? keyOf(id));
  }

  /** Stores a document under its record key, noting a duplicate measurement's. */
  #set(idKey: string, doc: Document): void {
    this.#docs.set(idKey, doc);
    const mark = idKey.indexOf(DUPLICATE_MARK);
    if (mark < 0) return;
    const base = idKey.slice(0, mark);
    let keys = this.#duplicates.get(base);
    if (keys === undefined) {
      keys = new Set();
      this.#duplicates.set(base, keys);
    }
    keys.add(idKey);
    const seq = Number(idKey.slice(mark + 1));
    if (seq > this.#duplicateSeq) this.#duplicateSeq = seq;
  }

  /** Removes the document under a record key from the map and every index. */
  #unload(idKey: string): void {
    const old = this.#docs.get(idKey);
    if (old === undefined) return;
    this.#docs.delete(idKey);
    const mark = idKey.indexOf(DUPLICATE_MARK);
    if (mark >= 0) {
      const base = idKey.slice(0, mark);
      const keys = this.#duplicates.get(base);
      keys?.delete(idKey);
      if (keys?.size === 0) this.#duplicates.delete(base);
    }
    this.#idIndex?.remove([[old['_id']]], idKey);
    for (const index of this.#indexes.values())
      index.remove(index.keysOf(old), idKey);
  }

  /** The record key of a stored document: its `_id` key, unless a later duplicate measurement. */
  #recordKeyOf(doc: Document): string {
    const idKey = keyOf(doc['_id']);
    if (this.#docs.get(idKey) === doc) return idKey;
    for (const rk of this.#duplicates.get(idKey) ?? [])
      if (this.#docs.get(rk) === doc) return rk;
    return idKey;
  }

  #putOp(
    idKey: string,
    doc: Document,
    bytes: Uint8Array | undefined,
  ): JournalOp {
    return idKey.includes(DUPLICATE_MARK)
      ? { op: 'put', db: this.db, coll: this.name, doc, bytes, rk: idKey }
      : { op: 'put', db: this.db, coll: this.name, doc, bytes };
  }

  /** Replay: adds an index without checks or journaling. */
  loadIndex(spec: Document): void {
    const index = new Index(spec);
    if (index.name === '_id_') return;
    for (const [idKey, doc] of this.#docs) index.add(index.keysOf(doc), idKey);
    this.#indexes.set(index.name, index);
    this.#planIndexes = undefined;
  }

  /** Replay: drops an index without journaling. */
  loadDropIndex(name: string): void {
    this.#indexes.delete(name);
    this.#planIndexes = undefined;
  }

  #checkIndexes(doc: Document, idKey: string): unknown[][][] {
    const all: unknown[][][] = [];
    for (const index of this.#indexes.values()) {
      index.checkGeo(doc);
      const keys = index.keysOf(doc);
      index.checkUnique(keys, idKey, doc, this.ns);
      all.push(keys);
    }
    return all;
  }

  #addKeys(keys: readonly unknown[][][], idKey: string): void {
    this.#idIndex?.add([[this.#docs.get(idKey)?.['_id']]], idKey);
    let i = 0;
    for (const index of this.#indexes.values()) {
      index.add(keys[i] ?? [], idKey);
      i += 1;
    }
  }
}
