// Internal to localdb: the values an index holds for one dotted path of a document.
import { isPlainObject } from '../isPlainObject.js';

function collect(
  value: unknown,
  parts: readonly string[],
  i: number,
  out: unknown[],
): void {
  if (i === parts.length) {
    // A multikey index holds each element of an array, and an empty array as undefined.
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(undefined);
      else for (const el of value) out.push(el);
    } else {
      out.push(value);
    }
    return;
  }
  if (Array.isArray(value)) {
    let found = false;
    for (const el of value) {
      if (isPlainObject(el)) {
        collect(el, parts, i, out);
        found = true;
      }
    }
    if (!found) out.push(undefined);
    return;
  }
  if (isPlainObject(value)) {
    const part = parts[i] as string;
    collect(value[part], parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

/**
 * Every value MongoDB would index for `path` in `doc`: arrays are expanded along the
 * path as for a multikey index; a missing field yields `undefined` (indexed as null).
 */
export function fieldValues(
  doc: Record<string, unknown>,
  path: string,
): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out;
}
