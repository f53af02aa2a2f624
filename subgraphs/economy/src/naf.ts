/**
 * The NAF rév. 2 sections (INSEE's French activity nomenclature, aligned on
 * the EU's NACE Rev. 2) and the SIRET/SIREN check: the economy department's
 * reference vocabulary, shared by models, resolvers, seed and validation.
 * See https://www.insee.fr/fr/information/2406147
 */

/** NAF rév. 2 sections A to U with their official INSEE labels. */
export const NAF_SECTIONS = {
  A: 'Agriculture, sylviculture et pêche',
  B: 'Industries extractives',
  C: 'Industrie manufacturière',
  D: "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
  E: "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
  F: 'Construction',
  G: "Commerce ; réparation d'automobiles et de motocycles",
  H: 'Transports et entreposage',
  I: 'Hébergement et restauration',
  J: 'Information et communication',
  K: "Activités financières et d'assurance",
  L: 'Activités immobilières',
  M: 'Activités spécialisées, scientifiques et techniques',
  N: 'Activités de services administratifs et de soutien',
  O: 'Administration publique',
  P: 'Enseignement',
  Q: 'Santé humaine et action sociale',
  R: 'Arts, spectacles et activités récréatives',
  S: 'Autres activités de services',
  T: "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages en tant que producteurs de biens et services pour usage propre",
  U: 'Activités extra-territoriales',
} as const;

/** A NAF section letter. */
export type NafSection = keyof typeof NAF_SECTIONS;

/** Every NAF section letter, A to U. */
export const NAF_SECTION_CODES = Object.keys(NAF_SECTIONS) as NafSection[];

/** The `EconomicSector` value of a section letter. */
export function economicSector(section: NafSection): {
  section: NafSection;
  label: string;
} {
  return { section, label: NAF_SECTIONS[section] };
}

/** Headcount bands (INSEE tranches d'effectifs, grouped). */
export const SIZE_BANDS = ['MICRO', 'SMALL', 'MEDIUM', 'LARGE'] as const;

/** One of {@link SIZE_BANDS}. */
export type SizeBand = (typeof SIZE_BANDS)[number];

/** Whether `digits` passes the Luhn check (SIREN and SIRET both do). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit that completes `digits`. */
export function luhnCheckDigit(digits: string): string {
  for (let d = 0; d <= 9; d++) {
    if (luhnValid(`${digits}${d}`)) return String(d);
  }
  throw new Error(`no Luhn digit for ${digits}`);
}

/** Whether `value` is a well-formed SIRET: 14 digits, the SIREN (first 9) and the whole Luhn-valid. */
export function isWellFormedSiret(value: string): boolean {
  return (
    /^\d{14}$/.test(value) && luhnValid(value.slice(0, 9)) && luhnValid(value)
  );
}
