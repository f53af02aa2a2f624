/**
 * UN/CEFACT Recommendation 20 unit codes (the `unitCode` of NGSI-LD and of
 * the Smart Data Models) the city converts, per kind of quantity, to the one
 * unit each graph field is stored in. A code not listed for a quantity is
 * refused, never guessed (docs/ingestion.md, "Units").
 */

/** A kind of quantity, with the unit it is stored in. */
export type Dimension =
  | 'speed'
  | 'ratio'
  | 'concentration'
  | 'soundLevel'
  | 'volume'
  | 'volumeFlow'
  | 'count'
  | 'temperature';

/** The stored unit of each dimension (UN/CEFACT code and its symbol). */
export const STORED_UNIT: Readonly<
  Record<Dimension, { code: string; symbol: string }>
> = {
  speed: { code: 'KMH', symbol: 'km/h' },
  ratio: { code: 'C62', symbol: '1' },
  concentration: { code: 'GQ', symbol: 'µg/m3' },
  soundLevel: { code: '2N', symbol: 'dB' },
  volume: { code: 'MTQ', symbol: 'm3' },
  volumeFlow: { code: 'MQH', symbol: 'm3/h' },
  count: { code: 'H87', symbol: 'piece' },
  temperature: { code: 'CEL', symbol: '°C' },
};

type Converter = (value: number, context: UnitContext) => number;

/** What some conversions need beyond the value. */
export interface UnitContext {
  /** Molar mass of the gas in g/mol, for ppm/ppb to µg/m3; none for particles. */
  readonly molarMass?: number;
}

// Molar volume of an ideal gas at 20 °C and 1013.25 hPa, the reference
// conditions of EU air-quality limits (Directive 2008/50/EC, Annex VI).
const MOLAR_VOLUME_L = 24.055;

const identity: Converter = (value) => value;
const byFactor =
  (factor: number): Converter =>
  (value) =>
    value * factor;

const CONVERSIONS: Readonly<Record<Dimension, Record<string, Converter>>> = {
  speed: {
    KMH: identity,
    MTS: byFactor(3.6), // metre per second
    HM: byFactor(1.609344), // mile per hour
    KNT: byFactor(1.852), // knot
  },
  ratio: {
    C62: identity, // one
    P1: byFactor(0.01), // percent
  },
  concentration: {
    GQ: identity, // microgram per cubic metre
    GP: byFactor(1000), // milligram per cubic metre
    // Parts per million / billion by volume: only for a gas, through its molar mass.
    '59': (value, context) => {
      if (context.molarMass === undefined) return Number.NaN;
      return (value * 1000 * context.molarMass) / MOLAR_VOLUME_L;
    },
    '61': (value, context) => {
      if (context.molarMass === undefined) return Number.NaN;
      return (value * context.molarMass) / MOLAR_VOLUME_L;
    },
  },
  soundLevel: { '2N': identity }, // decibel
  volume: {
    MTQ: identity, // cubic metre
    LTR: byFactor(0.001), // litre
  },
  volumeFlow: {
    MQH: identity, // cubic metre per hour
    MQS: byFactor(3600), // cubic metre per second
    L2: byFactor(0.06), // litre per minute
  },
  count: { H87: identity, C62: identity },
  temperature: {
    CEL: identity,
    KEL: (value) => value - 273.15,
    FAH: (value) => ((value - 32) * 5) / 9,
  },
};

/** The result of {@link convertUnit}. */
export type Conversion =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Converts `value` given in `unitCode` to the stored unit of `dimension`.
 * Refuses a code that is not a unit of that dimension, and ppm/ppb for a
 * quantity that is not a gas.
 */
export function convertUnit(
  value: number,
  unitCode: string,
  dimension: Dimension,
  context: UnitContext = {},
): Conversion {
  const converter = CONVERSIONS[dimension][unitCode.trim().toUpperCase()];
  const stored = STORED_UNIT[dimension];
  if (!converter)
    return {
      ok: false,
      reason: `unit code "${unitCode}" is not a unit of ${dimension} the city converts (accepted: ${Object.keys(CONVERSIONS[dimension]).join(', ')}; stored in ${stored.symbol}, code ${stored.code})`,
    };
  const converted = converter(value, context);
  if (!Number.isFinite(converted))
    return {
      ok: false,
      reason: `unit code "${unitCode}" cannot be converted to ${stored.symbol} for this quantity (parts per million or billion apply to gases only)`,
    };
  return { ok: true, value: converted };
}

/** The unit codes accepted for a dimension (for the docs and error messages). */
export function acceptedUnitCodes(dimension: Dimension): string[] {
  return Object.keys(CONVERSIONS[dimension]);
}
