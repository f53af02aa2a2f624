// Internal to localdb: one index, kept as a B+ tree in key-pattern order.
import type { Document } from 'bson';
import { GeoError, geoValuesAt, parseStored } from '../query/geo.js';
import {
  collationKey,
  collatorFor,
  parseCollation,
} from '../query/collation.js';
import { createQuery } from '../query/mingo.js';
import { CommandError, ErrorCode } from '../errors.js';
import { BTree } from './BTree.js';
import { compareValues, toIndexValue } from './compareValues.js';
import { fieldValues } from './fieldValues.js';
import { flatKey } from './flatKey.js';
import { keyOf } from './keyOf.js';
import { isPlainObject } from '../isPlainObject.js';

/** The index name MongoDB derives from a key pattern, e.g. `{ a: 1, b: -1 }` → `a_1_b_-1`. */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${String(dir)}`)
    .join('_');
}

/** One index entry: the key (one value per indexed field) and the document's `_id` key. */
export interface IndexEntry {
  key: unknown[];
  id: string;
  /**
   * The key as one string in index order (see flatKey), when it has one and the index
   * has no collation: two entries that both have it compare by it.
   */
  flat?: string | undefined;
}

/** A bound on the first non-equality field of a scan, in value (ascending) terms. */
export interface RangeBound {
  value: unknown;
  inclusive: boolean;
}

/**
 * What one index scan covers: the first `prefix.length` fields equal `prefix`, and the
 * next field, if `lo`/`hi` are given, lies between them.
 */
export interface ScanBounds {
  prefix: readonly unknown[];
  lo?: RangeBound | undefined;
  hi?: RangeBound | undefined;
}

/**
 * A secondary index (or the ordered `_id` index): a B+ tree of (key, `_id` key) entries
 * in the order of the key pattern, so equality, ranges, compound prefixes and sorts in
 * either direction read only the entries they need. Uniqueness is enforced here because
 * mingo has no notion of indexes.
 */
export class Index {
  /** The spec as listIndexes reports it. */
  readonly spec: Document;
  readonly name: string;
  readonly key: Record<string, unknown>;
  readonly fields: readonly string[];
  /** 1 or -1 per field. */
  readonly directions: ReadonlyArray<1 | -1>;
  readonly unique: boolean;
  readonly sparse: boolean;
  /** True when the index has a partialFilterExpression. */
  readonly partial: boolean;
  /** False for text/geo/hashed/wildcard indexes: recorded for listIndexes, not kept ordered. */
  readonly maintained: boolean;
  /** Fields of a `2dsphere` index: their values must be GeoJSON or legacy pairs. */
  readonly sphereFields: readonly string[];
  /** The index's collation as a canonical string ('' for simple). */
  readonly collationKey: string;
  /** Hidden from the planner (collMod `hidden: true`); still maintained and enforced. */
  hidden: boolean;
  /** True once some document put several keys in it (an array value), as MongoDB's multikey flag. */
  multikey = false;
  readonly #partial: ReturnType<typeof createQuery> | undefined;
  /** Top-level fields the keys are read from (every path's first part). */
  readonly #topFields: readonly string[];
  readonly #tree: BTree<IndexEntry>;
  readonly #compare: (a: IndexEntry, b: IndexEntry) => number;
  readonly #cmpValue: (a: unknown, b: unknown) => number;
  /** Entries carry flat keys (no collation, so strings order by code unit). */
  readonly #flat: boolean;

  constructor(spec: Document) {
    const key = spec['key'];
    if (
      typeof key !== 'object' ||
      key === null ||
      Object.keys(key).length === 0
    ) {
      throw new CommandError(
        ErrorCode.BadValue,
        'index key pattern must be a non-empty object',
      );
    }
    this.key = key as Record<string, unknown>;
    this.fields = Object.keys(this.key);
    this.#topFields = [
      ...new Set(this.fields.map((f) => f.split('.')[0] ?? f)),
    ];
    const name = spec['name'];
    this.name =
      typeof name === 'string' && name !== ''
        ? name
        : defaultIndexName(this.key);
    this.unique = spec['unique'] === true;
    this.sparse = spec['sparse'] === true;
    this.maintained = !Object.values(this.key).some(
      (v) => typeof v === 'string',
    );
    this.sphereFields = this.fields.filter((f) => this.key[f] === '2dsphere');
    const collation = parseCollation(spec['collation']);
    this.collationKey = collationKey(collation);
    this.hidden = spec['hidden'] === true;
    // Strings are ordered (and equal) by the index's collation, so a unique index with
    // `{ locale: 'fr', strength: 1 }` refuses 'Élodie' beside 'elodie'.
    const strings =
      collation === undefined ? undefined : collatorFor(collation);
    const cmpValue =
      strings === undefined
        ? compareValues
        : (a: unknown, b: unknown): number => compareValues(a, b, strings);
    this.#cmpValue = cmpValue;
    this.directions = Object.values(this.key).map((v) =>
      Number(v) < 0 ? -1 : 1,
    );
    const partial = spec['partialFilterExpression'];
    this.partial = typeof partial === 'object' && partial !== null;
    this.#partial = this.partial ? createQuery(partial as Document) : undefined;
    this.spec = { v: 2, ...spec, key: this.key, name: this.name };
    const dirs = this.directions;
    this.#flat = strings === undefined;
    this.#compare = (a, b) => {
      const fa = a.flat;
      const fb = b.flat;
      if (fa !== undefined && fb !== undefined) {
        // Equal flat keys are equal keys (flatKey): then the record key decides.
        if (fa !== fb) return fa < fb ? -1 : 1;
        return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      }
      for (let i = 0; i < dirs.length; i += 1) {
        const c = cmpValue(a.key[i], b.key[i]);
        if (c !== 0) return c * (dirs[i] as number);
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    };
    this.#tree = new BTree<IndexEntry>(this.#compare);
  }

  /**
   * Whether a change of these top-level fields can change a document's keys or
   * validity here. A partial index depends on its filter too: always true then.
   */
  dependsOn(changed: ReadonlySet<string>): boolean {
    if (this.partial) return true;
    for (const f of this.#topFields) if (changed.has(f)) return true;
    return false;
  }

  /** Entries in the index. */
  get entryCount(): number {
    return this.#tree.size;
  }

  /** True if `doc` is covered by the partial filter (always, without one). */
  covers(doc: Document): boolean {
    return this.#partial === undefined || this.#partial.test(doc);
  }

  /** The keys `doc` has in this index (several for a multikey index); empty if not covered. */
  keysOf(doc: Document): unknown[][] {
    if (!this.maintained) return [];
    if (this.#partial !== undefined && !this.#partial.test(doc)) return [];
    const perField = this.fields.map((f) => fieldValues(doc, f));
    if (
      this.sparse &&
      perField.every((vals) => vals.every((v) => v === undefined))
    )
      return [];
    let keys: unknown[][] = [[]];
    for (const vals of perField) {
      let distinct = vals;
      if (vals.length > 1) {
        const seen = new Map<string, unknown>();
        for (const v of vals) seen.set(keyOf(v), v);
        distinct = [...seen.values()];
        if (distinct.length > 1) this.multikey = true;
      }
      if (distinct.length === 1) {
        for (const k of keys) k.push(distinct[0]);
        continue;
      }
      const next: unknown[][] = [];
      for (const prefix of keys)
        for (const v of distinct) next.push([...prefix, v]);
      keys = next;
    }
    return keys;
  }

  /** Entries within `bounds`, in index order (`direction` 1) or reverse (-1). */
  *scan(bounds: ScanBounds, direction: 1 | -1): Generator<IndexEntry> {
    const range = this.#range(bounds);
    const before = (e: IndexEntry): boolean => range.before(e);
    const after = (e: IndexEntry): boolean => range.after(e);
    // A scan may pause between entries (a yielding read) while writes change the tree;
    // then it re-seeks just past the last entry it gave, as MongoDB restores a cursor.
    const tree = this.#tree;
    const compare = this.#compare;
    let last: IndexEntry | undefined;
    for (;;) {
      const version = tree.version;
      const seen = last;
      const entries =
        direction === 1
          ? tree.ascending(
              seen === undefined
                ? before
                : (e) => before(e) || compare(e, seen) <= 0,
            )
          : tree.descending(
              seen === undefined
                ? after
                : (e) => after(e) || compare(e, seen) >= 0,
            );
      let changed = false;
      for (const e of entries) {
        if (direction === 1 ? after(e) : before(e)) return;
        last = e;
        yield e;
        if (tree.version !== version) {
          changed = true;
          break;
        }
      }
      if (!changed) return;
    }
  }

  /**
   * The first `max` entries `scan(bounds, direction)` gives, read in one go: nothing
   * can change the tree meanwhile, so no re-seek is needed, and no generator runs.
   */
  take(bounds: ScanBounds, direction: 1 | -1, max: number): IndexEntry[] {
    const range = this.#range(bounds);
    return direction === 1
      ? this.#tree.takeAscending(range, max)
      : this.#tree.takeDescending(range, max);
  }

  #range(bounds: ScanBounds): ScanRange {
    return new ScanRange(
      indexKey(bounds.prefix),
      indexBound(bounds.lo),
      indexBound(bounds.hi),
      this.directions,
      this.#cmpValue,
      this.#flat,
    );
  }

  /**
   * Throws MongoDB's 16755 "Can't extract geo keys" if a 2dsphere field of `doc` holds
   * something that is not a valid geometry. A missing or null field is fine (2dsphere
   * indexes are sparse).
   */
  checkGeo(doc: Document): void {
    if (this.sphereFields.length === 0 || !this.covers(doc)) return;
    for (const field of this.sphereFields) {
      for (const v of geoValuesAt(doc, field)) {
        try {
          parseStored(v);
        } catch (err) {
          if (!(err instanceof GeoError)) throw err;
          throw new CommandError(
            ErrorCode.Location16755,
            `Can't extract geo keys: ${renderValue(doc)}  ${err.message}`,
          );
        }
      }
    }
  }

  /** Throws E11000 if a document other than `idKey` already holds one of `keys`. */
  checkUnique(
    keys: readonly unknown[][],
    idKey: string,
    doc: Document,
    ns: string,
  ): void {
    if (!this.unique) return;
    for (const k of keys) {
      for (const holder of this.scan({ prefix: k }, 1)) {
        if (holder.id !== idKey) throw this.duplicateKeyError(doc, ns);
      }
    }
  }

  /** The E11000 error for `doc` colliding in this index, shaped as MongoDB's. */
  duplicateKeyError(doc: Document, ns: string): CommandError {
    return duplicateKeyError(ns, this.name, this.key, doc);
  }

  add(keys: readonly unknown[][], idKey: string): void {
    for (const key of keys) this.#tree.insert(this.#entry(key, idKey));
  }

  remove(keys: readonly unknown[][], idKey: string): void {
    for (const key of keys) this.#tree.delete(this.#entry(key, idKey));
  }

  #entry(key: readonly unknown[], idKey: string): IndexEntry {
    // One shape for every entry, with or without a flat key, keeps the comparison monomorphic.
    const flat = this.#flat ? flatKey(key, this.directions) : undefined;
    return { key: indexKey(key), id: idKey, flat };
  }
}

/**
 * Where a scan's bounds lie in index order: `before(e)` is true for the entries ahead of
 * them, `after(e)` for those past them, both monotone as the tree's seeks need. A class
 * rather than closures: a point read builds one per scan.
 *
 * Without collation, an entry and bounds that have flat keys (see flatKey) compare as
 * strings, one string per probe instead of entry → key array → value per field. Each
 * field's flat form is self-delimiting and order-preserving, so an entry's first fields
 * equal the prefix exactly when its flat key starts with the prefix's, and otherwise
 * the strings order as the fields do.
 */
class ScanRange {
  readonly #prefix: readonly unknown[];
  readonly #start: RangeBound | undefined;
  readonly #end: RangeBound | undefined;
  readonly #dirs: ReadonlyArray<1 | -1>;
  readonly #rangeDir: number;
  readonly #cmpValue: (a: unknown, b: unknown) => number;
  /** The prefix's flat form; undefined when it or a bound has none. */
  readonly #flatPrefix: string | undefined;
  /** The prefix and the start bound (in index order), flat; undefined without a start. */
  readonly #flatStart: string | undefined;
  /** The prefix and the end bound (in index order), flat; undefined without an end. */
  readonly #flatEnd: string | undefined;

  constructor(
    prefix: readonly unknown[],
    lo: RangeBound | undefined,
    hi: RangeBound | undefined,
    dirs: ReadonlyArray<1 | -1>,
    cmpValue: (a: unknown, b: unknown) => number,
    flat: boolean,
  ) {
    const k = prefix.length;
    this.#prefix = prefix;
    this.#dirs = dirs;
    this.#cmpValue = cmpValue;
    this.#rangeDir = dirs[k] ?? 1;
    // A bound on a field past the key pattern is ignored.
    const ranged = k < dirs.length;
    this.#start = ranged ? (this.#rangeDir === 1 ? lo : hi) : undefined;
    this.#end = ranged ? (this.#rangeDir === 1 ? hi : lo) : undefined;
    let flatPrefix = flat ? flatKey(prefix, dirs) : undefined;
    let flatStart: string | undefined;
    let flatEnd: string | undefined;
    if (flatPrefix !== undefined && this.#start !== undefined) {
      flatStart = flatKey([...prefix, this.#start.value], dirs);
      if (flatStart === undefined) flatPrefix = undefined;
    }
    if (flatPrefix !== undefined && this.#end !== undefined) {
      flatEnd = flatKey([...prefix, this.#end.value], dirs);
      if (flatEnd === undefined) flatPrefix = undefined;
    }
    this.#flatPrefix = flatPrefix;
    this.#flatStart = flatStart;
    this.#flatEnd = flatEnd;
  }

  before(e: IndexEntry): boolean {
    const f = e.flat;
    const p = this.#flatPrefix;
    const start = this.#start;
    if (f !== undefined && p !== undefined) {
      const s = this.#flatStart;
      if (s === undefined) return f < p;
      return f < s || (start?.inclusive === false && f.startsWith(s));
    }
    const c = this.#prefixCompare(e);
    if (c !== 0) return c < 0;
    if (start === undefined) return false;
    const r =
      this.#cmpValue(e.key[this.#prefix.length], start.value) * this.#rangeDir;
    return r < 0 || (r === 0 && !start.inclusive);
  }

  after(e: IndexEntry): boolean {
    const f = e.flat;
    const p = this.#flatPrefix;
    const end = this.#end;
    if (f !== undefined && p !== undefined) {
      const x = this.#flatEnd ?? p;
      if (end?.inclusive === false) return f >= x;
      return f > x && !f.startsWith(x);
    }
    const c = this.#prefixCompare(e);
    if (c !== 0) return c > 0;
    if (end === undefined) return false;
    const r =
      this.#cmpValue(e.key[this.#prefix.length], end.value) * this.#rangeDir;
    return r > 0 || (r === 0 && !end.inclusive);
  }

  #prefixCompare(e: IndexEntry): number {
    const prefix = this.#prefix;
    const dirs = this.#dirs;
    for (let i = 0; i < prefix.length; i += 1) {
      const c = this.#cmpValue(e.key[i], prefix[i]) * (dirs[i] as number);
      if (c !== 0) return c;
    }
    return 0;
  }
}

/**
 * A key as the tree holds it: documents in it as DocKeys (see toIndexValue). The same
 * array when it holds no document, the usual case.
 */
function indexKey(key: readonly unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < key.length; i += 1) {
    const v = key[i];
    if (typeof v !== 'object' || v === null || !isPlainObject(v)) continue;
    out ??= [...key];
    out[i] = toIndexValue(v);
  }
  return out ?? (key as unknown[]);
}

function indexBound(bound: RangeBound | undefined): RangeBound | undefined {
  if (bound === undefined || !isPlainObject(bound.value)) return bound;
  return { value: toIndexValue(bound.value), inclusive: bound.inclusive };
}

/** A value as MongoDB's error messages print it (`ObjectId('…')`, `{ a: 1 }`). */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  const bson = value as { _bsontype?: string; toString(): string };
  if (bson._bsontype === 'ObjectId') return `ObjectId('${bson.toString()}')`;
  if (Array.isArray(value)) return `[ ${value.map(renderValue).join(', ')} ]`;
  if (typeof value === 'object' && bson._bsontype === undefined) {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{ ${entries.map(([k, v]) => `${k}: ${renderValue(v)}`).join(', ')} }`;
  }
  return String(value);
}

/**
 * The duplicate-key error as MongoDB words it, with `keyPattern` and `keyValue`
 * so the driver and mongoose report it as they do against a real server.
 */
export function duplicateKeyError(
  ns: string,
  indexName: string,
  keyPattern: Record<string, unknown>,
  doc: Document,
): CommandError {
  const keyValue: Record<string, unknown> = {};
  for (const field of Object.keys(keyPattern)) {
    const values = fieldValues(doc, field);
    const v = values.length === 1 ? values[0] : values;
    keyValue[field] = v === undefined ? null : v;
  }
  const rendered = Object.entries(keyValue)
    .map(([k, v]) => `${k}: ${renderValue(v)}`)
    .join(', ');
  return new CommandError(
    ErrorCode.DuplicateKey,
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${rendered} }`,
    { keyPattern, keyValue },
  );
}
