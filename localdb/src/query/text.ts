// Internal to localdb: `$text` over a text index, as a plain word match (no stemming, no scores).
import type { Document } from 'bson';
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';
import type { Collection } from '../storage/Collection.js';

/** The words of a string: lower-cased, accents dropped unless diacritic-sensitive. */
function words(
  s: string,
  caseSensitive: boolean,
  diacritics: boolean,
): string[] {
  let t = caseSensitive ? s : s.toLowerCase();
  if (!diacritics) t = t.normalize('NFD').replace(/\p{M}/gu, '');
  return t.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
}

function strings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const el of v) strings(el, out);
  else if (isPlainObject(v))
    for (const el of Object.values(v)) strings(el, out);
}

function valueAt(doc: unknown, parts: readonly string[]): unknown {
  let cur = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) return cur.map((el) => valueAt(el, [p]));
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A compiled `$text` test. */
export type TextTest = (doc: Document) => boolean;

/**
 * Takes a top-level `$text` out of a filter and compiles it against the collection's
 * text index: a document matches when its indexed strings contain one of the search
 * words (all quoted phrases, if any) and none of the negated (`-word`) ones. Without a
 * text index: MongoDB's code 27 "text index required for $text query".
 */
export function extractText(
  coll: Collection,
  filter: Document,
): { filter: Document; test: TextTest | undefined } {
  const arg = filter['$text'];
  if (arg === undefined) return { filter, test: undefined };
  if (!isPlainObject(arg) || typeof arg['$search'] !== 'string')
    throw new CommandError(ErrorCode.BadValue, '$text needs a $search string');
  const fields: string[] = [];
  let wildcard = false;
  for (const spec of coll.indexSpecs()) {
    const key = spec['key'] as Record<string, unknown>;
    for (const [f, t] of Object.entries(key)) {
      if (t !== 'text') continue;
      if (f === '$**') wildcard = true;
      else fields.push(f);
    }
  }
  if (fields.length === 0 && !wildcard)
    throw new CommandError(
      ErrorCode.IndexNotFound,
      'text index required for $text query',
    );
  const caseSensitive = arg['$caseSensitive'] === true;
  const diacritics = arg['$diacriticSensitive'] === true;
  const search = arg['$search'];
  const phrases = [...search.matchAll(/"([^"]*)"/g)].map((m) =>
    words(m[1] ?? '', caseSensitive, diacritics).join(' '),
  );
  const rest = search.replace(/"[^"]*"/g, ' ');
  const terms: string[] = [];
  const negated: string[] = [];
  for (const token of rest.split(/\s+/)) {
    if (token === '') continue;
    const list = token.startsWith('-') ? negated : terms;
    list.push(...words(token.replace(/^-/, ''), caseSensitive, diacritics));
  }
  const test: TextTest = (doc) => {
    const found: string[] = [];
    if (wildcard) strings(doc, found);
    for (const f of fields) strings(valueAt(doc, f.split('.')), found);
    const docWords = found.map((s) => words(s, caseSensitive, diacritics));
    const all = new Set(docWords.flat());
    if (negated.some((w) => all.has(w))) return false;
    if (phrases.length > 0)
      return phrases.every((p) =>
        docWords.some((ws) => ` ${ws.join(' ')} `.includes(` ${p} `)),
      );
    return terms.some((w) => all.has(w));
  };
  const { $text: _text, ...others } = filter;
  return { filter: others, test };
}
