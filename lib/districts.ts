/**
 * The city's 16 arrondissements: the shared `District` entity every
 * department describes from its side. Reference data (INSEE COG and legal
 * populations) is copied in lib/data/marseille with its sources.
 */
import { readFileSync } from 'node:fs';

/** One arrondissement municipal of Marseille. */
export interface DistrictRecord {
  /** INSEE code, 13201 to 13216: the `District` key. */
  readonly code: string;
  /** 1 to 16. */
  readonly number: number;
  /** Official COG name, e.g. "Marseille 1er Arrondissement". */
  readonly name: string;
  readonly postalCode: string;
  /** Sector I to VIII (two arrondissements each). */
  readonly sector: string;
  /** INSEE population municipale by vintage year. */
  readonly population: Readonly<Record<string, number>>;
  /** Approximate representative point (UNVERIFIED, see SOURCES.md); used to place seed data. */
  readonly center: { readonly lat: number; readonly lon: number };
}

interface RawArrondissement {
  number: number;
  name: string;
  inseeCode: string;
  postalCode: string;
  sector: string;
  population: Record<string, { populationMunicipale: number }>;
  centroid: { approx: { lat: number; lon: number } };
}

const raw = JSON.parse(
  readFileSync(new URL('./data/marseille/arrondissements.json', import.meta.url), 'utf8'),
) as { arrondissements: RawArrondissement[] };

/** All 16 districts, in INSEE code order. */
export const DISTRICTS: readonly DistrictRecord[] = Object.freeze(
  raw.arrondissements.map((a) =>
    Object.freeze({
      code: a.inseeCode,
      number: a.number,
      name: a.name,
      postalCode: a.postalCode,
      sector: a.sector,
      population: Object.freeze(
        Object.fromEntries(Object.entries(a.population).map(([year, p]) => [year, p.populationMunicipale])),
      ),
      center: Object.freeze({ lat: a.centroid.approx.lat, lon: a.centroid.approx.lon }),
    }),
  ),
);

const byCode = new Map(DISTRICTS.map((d) => [d.code, d]));

/** The district with this INSEE code, or undefined. */
export function findDistrict(code: string): DistrictRecord | undefined {
  return byCode.get(code);
}

/** Whether `code` is one of the 16 INSEE codes. */
export function isDistrictCode(code: string): boolean {
  return byCode.has(code);
}

/** The latest population vintage available, e.g. "2023". */
export const LATEST_POPULATION_YEAR: string = Object.keys(DISTRICTS[0]?.population ?? {}).sort().at(-1) ?? '2023';
