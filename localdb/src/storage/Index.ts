// Internal to localdb: one secondary index, kept as a hash map from key to documents.
import type { Document } from 'bson';
import { createQuery } from '../query/mingo.js';
import { CommandError, ErrorCode } from '../errors.js';
import { fieldValues } from './fieldValues.js';
import { keyOf } from './keyOf.js';

/** Index key types whose ordering or geometry localdb does not evaluate; accepted and recorded only. */
const RECORDED_ONLY_TYPES = new Set([
  '2d',
  '2dsphere',
  'text',
  'geoHaystack',
  'wildcard',
]);

const SEPARATOR = '\u0000';

/** The index name MongoDB derives from a key pattern, e.g. `{ a: 1, b: -1 }` → `a_1_b_-1`. */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${String(dir)}`)
    .join('_');
}

/**
 * A secondary index. Equality lookups go through a `Map` from the canonical key
 * (see keyOf) to the `_id` keys of the documents holding it, so an indexed
 * equality never scans the collection. Uniqueness is enforced here because
 * mingo has no notion of indexes.
 */
export class Index {
  /** The spec as listIndexes reports it. */
  readonly spec: Document;
  readonly name: string;
  readonly key: Record<string, unknown>;
  readonly fields: readonly string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  /** False for text/geo/wildcard indexes: recorded for listIndexes, never used or enforced. */
  readonly maintained: boolean;
  readonly #partial: ReturnType<typeof createQuery> | undefined;
  readonly #entries = new Map<string, Set<string>>();

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
    const name = spec['name'];
    this.name =
      typeof name === 'string' && name !== ''
        ? name
        : defaultIndexName(this.key);
    this.unique = spec['unique'] === true;
    this.sparse = spec['sparse'] === true;
    this.maintained = !Object.values(this.key).some(
      (v) => typeof v === 'string' && RECORDED_ONLY_TYPES.has(v),
    );
    const partial = spec['partialFilterExpression'];
    this.#partial =
      typeof partial === 'object' && partial !== null
        ? createQuery(partial as Document)
        : undefined;
    this.spec = { v: 2, ...spec, key: this.key, name: this.name };
  }

  /** True when the index can answer an equality lookup on all of its fields. */
  get usableForEquality(): boolean {
    return this.maintained && this.#partial === undefined && !this.sparse;
  }

  /** The keys `doc` has in this index (several for a multikey index); empty if not covered. */
  keysOf(doc: Document): string[] {
    if (!this.maintained) return [];
    if (this.#partial !== undefined && !this.#partial.test(doc)) return [];
    const perField = this.fields.map((f) => fieldValues(doc, f));
    if (
      this.sparse &&
      perField.every((vals) => vals.every((v) => v === undefined))
    )
      return [];
    let keys = [''];
    for (const vals of perField) {
      const next: string[] = [];
      const distinct = new Set(vals.map(keyOf));
      for (const prefix of keys) {
        for (const k of distinct)
          next.push(prefix === '' ? k : prefix + SEPARATOR + k);
      }
      keys = next;
    }
    return keys;
  }

  /** The key for a lookup with one value per field, in field order. */
  lookupKey(values: readonly unknown[]): string {
    return values.map(keyOf).join(SEPARATOR);
  }

  /** `_id` keys of documents holding `key`. */
  lookup(key: string): ReadonlySet<string> | undefined {
    return this.#entries.get(key);
  }

  /** Throws E11000 if a document other than `idKey` already holds one of `keys`. */
  checkUnique(
    keys: readonly string[],
    idKey: string,
    doc: Document,
    ns: string,
  ): void {
    if (!this.unique) return;
    for (const k of keys) {
      const holders = this.#entries.get(k);
      if (holders === undefined) continue;
      for (const holder of holders) {
        if (holder !== idKey) throw this.duplicateKeyError(doc, ns);
      }
    }
  }

  /** The E11000 error for `doc` colliding in this index, shaped as MongoDB's. */
  duplicateKeyError(doc: Document, ns: string): CommandError {
    return duplicateKeyError(ns, this.name, this.key, doc);
  }

  add(keys: readonly string[], idKey: string): void {
    for (const k of keys) {
      let set = this.#entries.get(k);
      if (set === undefined) {
        set = new Set();
        this.#entries.set(k, set);
      }
      set.add(idKey);
    }
  }

  remove(keys: readonly string[], idKey: string): void {
    for (const k of keys) {
      const set = this.#entries.get(k);
      if (set === undefined) continue;
      set.delete(idKey);
      if (set.size === 0) this.#entries.delete(k);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}

function renderValue(value: unknown): string {
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
