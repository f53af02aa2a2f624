// Internal to localdb: MongoDB collations (ICU) as Intl.Collator comparisons, with the options localdb cannot honour refused.
import { CommandError, ErrorCode } from '../errors.js';
import { isPlainObject } from '../isPlainObject.js';

/** A collation document as MongoDB takes it. See https://www.mongodb.com/docs/manual/reference/collation/ */
export interface Collation {
  locale: string;
  strength?: 1 | 2 | 3;
  caseLevel?: boolean;
  caseFirst?: 'upper' | 'lower';
  numericOrdering?: boolean;
  alternate?: 'non-ignorable' | 'shifted';
}

const FIELDS = new Set([
  'locale',
  'strength',
  'caseLevel',
  'caseFirst',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
]);

function notImplemented(what: string): CommandError {
  return new CommandError(
    ErrorCode.NotImplemented,
    `localdb does not support the collation option ${what} (see docs/localdb.md, "Collation")`,
  );
}

/**
 * Validates a `collation` argument; undefined for none or `{ locale: 'simple' }` (binary
 * comparison). Strength 1-3, caseLevel, caseFirst, numericOrdering and alternate are
 * honoured through Intl.Collator; strength 4-5, `backwards: true` and `maxVariable:
 * 'space'` are refused with code 238 rather than silently ignored.
 */
export function parseCollation(v: unknown): Collation | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v))
    throw new CommandError(
      ErrorCode.TypeMismatch,
      "BSON field 'collation' is the wrong type, expected object",
    );
  for (const key of Object.keys(v))
    if (!FIELDS.has(key))
      throw new CommandError(
        ErrorCode.Location40415,
        `BSON field 'collation.${key}' is an unknown field.`,
      );
  const locale = v['locale'];
  if (typeof locale !== 'string')
    throw new CommandError(
      ErrorCode.Location40414,
      "BSON field 'collation.locale' is missing but a required field",
    );
  if (locale === 'simple') return undefined;
  let supported: string[];
  try {
    supported = Intl.Collator.supportedLocalesOf(locale.replace(/_/g, '-'));
  } catch {
    supported = [];
  }
  if (supported.length === 0)
    throw new CommandError(
      ErrorCode.BadValue,
      `Field 'locale' is invalid in: ${JSON.stringify(v)}`,
    );
  const strength = v['strength'] ?? 3;
  if (
    typeof strength !== 'number' ||
    !Number.isInteger(strength) ||
    strength < 1 ||
    strength > 5
  )
    throw new CommandError(
      ErrorCode.BadValue,
      'strength must be an integer 1 through 5',
    );
  if (strength > 3) throw notImplemented(`strength: ${strength}`);
  if (v['backwards'] === true) throw notImplemented('backwards: true');
  if (v['alternate'] === 'shifted' && v['maxVariable'] === 'space')
    throw notImplemented("maxVariable: 'space'");
  const caseFirst = v['caseFirst'];
  if (
    caseFirst !== undefined &&
    caseFirst !== 'upper' &&
    caseFirst !== 'lower' &&
    caseFirst !== 'off'
  )
    throw new CommandError(
      ErrorCode.BadValue,
      `caseFirst must be 'upper', 'lower' or 'off'`,
    );
  const out: Collation = { locale, strength: strength as 1 | 2 | 3 };
  if (v['caseLevel'] === true) out.caseLevel = true;
  if (caseFirst !== undefined && caseFirst !== 'off') out.caseFirst = caseFirst;
  if (v['numericOrdering'] === true) out.numericOrdering = true;
  if (v['alternate'] === 'shifted') out.alternate = 'shifted';
  return out;
}

/** A canonical string for a collation, '' for simple: two indexes or queries collate alike when equal. */
export function collationKey(c: Collation | undefined): string {
  return c === undefined ? '' : JSON.stringify(c);
}

const SENSITIVITY: Record<number, 'base' | 'accent' | 'variant'> = {
  1: 'base',
  2: 'accent',
  3: 'variant',
};

const collators = new Map<string, (a: string, b: string) => number>();

/** The string comparison of a collation (cached). */
export function collatorFor(c: Collation): (a: string, b: string) => number {
  const key = collationKey(c);
  let compare = collators.get(key);
  if (compare === undefined) {
    let sensitivity: 'base' | 'accent' | 'case' | 'variant' =
      SENSITIVITY[c.strength ?? 3] ?? 'variant';
    if (c.caseLevel === true)
      sensitivity = sensitivity === 'base' ? 'case' : 'variant';
    const options: Intl.CollatorOptions = {
      usage: 'sort',
      sensitivity,
      numeric: c.numericOrdering === true,
      ignorePunctuation: c.alternate === 'shifted',
    };
    if (c.caseFirst !== undefined) options.caseFirst = c.caseFirst;
    const collator = new Intl.Collator(c.locale.replace(/_/g, '-'), options);
    compare = collator.compare.bind(collator);
    collators.set(key, compare);
  }
  return compare;
}
