/**
 * The city's 16 arrondissements: the shared `District` entity every
 * department describes from its side. Reference data (INSEE COG and legal
 * populations) is copied in lib/subgraph-kit/data/marseille with its sources.
 */
import { readFileSync } from 'node:fs';
import { BadUserInputError, NotFoundError } from '../runtime/errors.js';

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
  readFileSync(
    new URL('./data/marseille/arrondissements.json', import.meta.url),
    'utf8',
  ),
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
        Object.fromEntries(
          Object.entries(a.population).map(([year, p]) => [
            year,
            p.populationMunicipale,
          ]),
        ),
      ),
      center: Object.freeze({
        lat: a.centroid.approx.lat,
        lon: a.centroid.approx.lon,
      }),
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
export const LATEST_POPULATION_YEAR: string =
  Object.keys(DISTRICTS[0]?.population ?? {})
    .sort()
    .at(-1) ?? '2023';

function unknownDistrictMessage(code: string): string {
  return `Unknown district "${code}": use an INSEE code from 13201 to 13216.`;
}

/**
 * Validates an optional `district` argument and returns a filter on the
 * `district` field; an unknown code is BAD_USER_INPUT.
 */
export function districtFilter(
  code: string | null | undefined,
  field = 'district',
): Record<string, string> {
  if (code === null || code === undefined) return {};
  if (!isDistrictCode(code)) {
    throw new BadUserInputError(unknownDistrictMessage(code), {
      argumentName: 'district',
    });
  }
  return { [field]: code };
}

/** Marseille's bounding box (with a margin): coordinates outside it are rejected by model validation. */
export const MARSEILLE_BOUNDS = {
  minLat: 43.15,
  maxLat: 43.45,
  minLon: 5.2,
  maxLon: 5.6,
} as const;

/**
 * The mongoose definition of a WGS84 point inside Marseille, shared by every
 * model that has a location (a plain object, so lib needs no mongoose import).
 */
export const geoPointDefinition = {
  lat: {
    type: Number,
    required: true,
    min: MARSEILLE_BOUNDS.minLat,
    max: MARSEILLE_BOUNDS.maxLat,
  },
  lon: {
    type: Number,
    required: true,
    min: MARSEILLE_BOUNDS.minLon,
    max: MARSEILLE_BOUNDS.maxLon,
  },
} as const;

/** The mongoose definition of a `district` field: one of the 16 INSEE codes, indexed. */
export const districtFieldDefinition = {
  type: String,
  required: true,
  index: true,
  validate: {
    validator: isDistrictCode,
    message: 'district must be an INSEE code from 13201 to 13216',
  },
} as const;

/** A `District` entity reference as resolvers return it. */
export interface DistrictRef {
  code: string;
}

function district(ref: DistrictRef): DistrictRecord {
  const found = findDistrict(ref.code);
  if (!found) throw new NotFoundError(`No district with code "${ref.code}".`);
  return found;
}

/**
 * The `District` fields every subgraph shares (`@shareable`, answered from
 * the reference data in lib/subgraph-kit/data) and the reference resolver. Each subgraph
 * spreads these into its own `District` resolvers.
 */
export const districtSharedResolvers = {
  __resolveReference(ref: DistrictRef): DistrictRef | null {
    return isDistrictCode(ref.code) ? { code: ref.code } : null;
  },
  /** A district's id is its code (docs/clients.md). */
  id: (ref: DistrictRef): string => ref.code,
  name: (ref: DistrictRef) => district(ref).name,
  postalCode: (ref: DistrictRef) => district(ref).postalCode,
  sector: (ref: DistrictRef) => district(ref).sector,
  population: (ref: DistrictRef): number => {
    const population = district(ref).population[LATEST_POPULATION_YEAR];
    // Every arrondissement has every vintage in the reference data.
    if (population === undefined)
      throw new Error(
        `no ${LATEST_POPULATION_YEAR} population for ${ref.code}`,
      );
    return population;
  },
};

/** The shared `Query.district` and `Query.districts` resolvers. */
export const districtQueryResolvers = {
  district: (_: unknown, args: { code: string }): DistrictRef => {
    // docs/errors.md: an unknown code is BAD_USER_INPUT (the field is
    // nullable, so the error costs this field only).
    if (!isDistrictCode(args.code))
      throw new BadUserInputError(unknownDistrictMessage(args.code), {
        argumentName: 'code',
      });
    return { code: args.code };
  },
  districts: (): DistrictRef[] => DISTRICTS.map((d) => ({ code: d.code })),
};
