/**
 * Redaction of personal data written into public free text (a citizen
 * report's description): e-mail addresses, phone numbers and French licence
 * plates are replaced by a placeholder before the text is stored publicly;
 * the original goes to a protected field (docs/access-control.md, "Free
 * text"). Phone numbers are found by libphonenumber-js (Google's
 * libphonenumber metadata, French numbers by default, international ones
 * with their prefix); e-mail addresses and plates by the patterns below,
 * which no kept library offers for French plates.
 */
import { findPhoneNumbersInText } from 'libphonenumber-js/max';

/** The kinds of personal data redaction looks for. */
export const PERSONAL_DATA_KINDS = ['EMAIL', 'PHONE', 'LICENCE_PLATE'] as const;

/** One of {@link PERSONAL_DATA_KINDS}. */
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

/** What replaces each kind in the public text (the city's texts are French). */
export const REDACTION_PLACEHOLDERS: Readonly<
  Record<PersonalDataKind, string>
> = {
  EMAIL: '[adresse e-mail masquée]',
  PHONE: '[téléphone masqué]',
  LICENCE_PLATE: '[plaque masquée]',
};

/** A redacted text and what was taken out of it. */
export interface Redaction {
  /** The text with each finding replaced by its placeholder. */
  readonly text: string;
  /** The kinds found, each once, in {@link PERSONAL_DATA_KINDS} order; empty when the text was clean. */
  readonly kinds: readonly PersonalDataKind[];
}

// Local part and domain as mail software accepts them in practice (not the
// whole RFC 5322 grammar: quoted local parts do not occur in reports).
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

// SIV plates (since 2009): AA-123-AA, hyphenated or written together in
// any case, or spaced in capitals (spaced lower case is ordinary French:
// "devant le 123 de la rue"); the letters I, O and U are never used. FNI
// plates (before 2009), in capitals: 1 to 4 digits, 1 to 3 letters, the
// département (2 digits, 2A/2B, or 971-976).
const SIV_PLATE = /\b[A-HJ-NP-TV-Z]{2}-?\d{3}-?[A-HJ-NP-TV-Z]{2}\b/giu;
const SIV_PLATE_SPACED = /\b[A-HJ-NP-TV-Z]{2} \d{3} [A-HJ-NP-TV-Z]{2}\b/gu;
const FNI_PLATE =
  /\b\d{1,4} ?[A-HJ-NP-TV-Z]{1,3} ?(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])\b/gu;

interface Finding {
  readonly start: number;
  readonly end: number;
  readonly kind: PersonalDataKind;
}

function matches(text: string, pattern: RegExp, kind: PersonalDataKind) {
  return [...text.matchAll(pattern)].map((match): Finding => ({
    start: match.index,
    end: match.index + match[0].length,
    kind,
  }));
}

/**
 * Redacts `text`. Running it again on its output changes nothing (the
 * placeholders match no pattern), so a record can pass through several
 * writers.
 */
export function redactPersonalData(text: string): Redaction {
  const findings: Finding[] = [
    ...matches(text, EMAIL, 'EMAIL'),
    ...findPhoneNumbersInText(text, 'FR').map((found): Finding => ({
      start: found.startsAt,
      end: found.endsAt,
      kind: 'PHONE',
    })),
    ...matches(text, SIV_PLATE, 'LICENCE_PLATE'),
    ...matches(text, SIV_PLATE_SPACED, 'LICENCE_PLATE'),
    ...matches(text, FNI_PLATE, 'LICENCE_PLATE'),
  ].sort((a, b) => a.start - b.start || b.end - a.end);
  if (findings.length === 0) return { text, kinds: [] };
  let redacted = '';
  let at = 0;
  const kinds = new Set<PersonalDataKind>();
  for (const finding of findings) {
    // Overlaps (a phone number inside an e-mail address): the earliest,
    // longest finding wins.
    if (finding.start < at) continue;
    redacted += text.slice(at, finding.start);
    redacted += REDACTION_PLACEHOLDERS[finding.kind];
    at = finding.end;
    kinds.add(finding.kind);
  }
  redacted += text.slice(at);
  return {
    text: redacted,
    kinds: PERSONAL_DATA_KINDS.filter((kind) => kinds.has(kind)),
  };
}
