/**
 * The main roads of each arrondissement (data/marseille/streets.json, source
 * note in data/marseille/STREETS.md): where the seed places traffic sensors,
 * traffic lights and citizen-report addresses, so that a road only appears in
 * the districts it crosses.
 */
import { readFileSync } from 'node:fs';
import { DISTRICTS } from './districts.js';

/** One road of the list, with the arrondissements it crosses and its source. */
export interface StreetRecord {
  readonly name: string;
  /** Arrondissement numbers, 1 to 16. */
  readonly arrondissements: readonly number[];
  /** How direct the source is: the article's infobox, or a sentence of a page. */
  readonly evidence: 'infobox' | 'text';
  readonly source: string;
}

const raw = JSON.parse(
  readFileSync(
    new URL('./data/marseille/streets.json', import.meta.url),
    'utf8',
  ),
) as { streets: StreetRecord[] };

/** Every road of the list, in file order. */
export const STREETS: readonly StreetRecord[] = Object.freeze(
  raw.streets.map((s) =>
    Object.freeze({
      ...s,
      arrondissements: Object.freeze([...s.arrondissements]),
    }),
  ),
);

const byDistrict = new Map<string, readonly string[]>(
  DISTRICTS.map((d) => [
    d.code,
    Object.freeze(
      STREETS.filter((s) => s.arrondissements.includes(d.number)).map(
        (s) => s.name,
      ),
    ),
  ]),
);

/** The roads of the district with this INSEE code, in file order (empty for an unknown code). */
export function streetsOf(code: string): readonly string[] {
  return byDistrict.get(code) ?? [];
}
