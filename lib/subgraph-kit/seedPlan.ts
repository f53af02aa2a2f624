/**
 * How many of each seeded thing every district gets: counts proportional to
 * the district's population (INSEE 2023, data/marseille) weighted by a land-use
 * factor, so that the 13e (95,112 inhabitants) has about six times the 16e
 * (15,854) rather than the same number. One plan for all departments, so that
 * a department referencing another's seeded ids (environment's projects run
 * by economy's businesses) knows which exist.
 *
 * The land-use factors are synthetic: the reference data has populations but
 * no land use (no SIRENE establishment counts, no road network). They encode
 * well-known traits, each documented below, and stay between 0.5 and 2 so that
 * population keeps the first word (a test checks the counts still follow it).
 */
import {
  DISTRICTS,
  LATEST_POPULATION_YEAR,
  type DistrictRecord,
} from './districts.js';

/** The seeded kinds whose count per district the plan sets. */
export type SeedKind =
  'businesses' | 'trafficSensors' | 'airQualityStations' | 'bikeStations';

/**
 * Road-traffic pressure of each district, relative to the city: the central
 * and port-side districts and the motorway entries (A7 in the 3e/14e/15e, A55
 * in the 2e) are busier, the calanques and hills of the 7e, 8e, 9e less so.
 * Weights traffic sensors, and environment's NO2 and noise.
 */
export const TRAFFIC_PRESSURE: Readonly<Record<string, number>> = Object.freeze(
  {
    '13201': 1.25,
    '13202': 1.3,
    '13203': 1.25,
    '13204': 1.05,
    '13205': 1.1,
    '13206': 1.15,
    '13207': 0.8,
    '13208': 0.9,
    '13209': 0.75,
    '13210': 1.0,
    '13211': 0.9,
    '13212': 0.85,
    '13213': 0.9,
    '13214': 1.1,
    '13215': 1.2,
    '13216': 1.0,
  },
);

/**
 * Economic activity per inhabitant, relative to the city: the hyper-centre
 * (1er: commerce, the Canebière), Euroméditerranée's business district and the
 * port (2e), the shopping streets of the 6e and the offices of the Prado (8e)
 * hold more establishments than residents would suggest; the residential
 * north and east (12e, 13e, 14e) fewer; the port and industry of the 15e and
 * 16e about their share.
 */
export const ACTIVITY: Readonly<Record<string, number>> = Object.freeze({
  '13201': 1.8,
  '13202': 1.9,
  '13203': 0.8,
  '13204': 0.9,
  '13205': 1.0,
  '13206': 1.6,
  '13207': 1.0,
  '13208': 1.2,
  '13209': 0.8,
  '13210': 1.0,
  '13211': 0.9,
  '13212': 0.8,
  '13213': 0.8,
  '13214': 0.8,
  '13215': 1.0,
  '13216': 1.1,
});

/**
 * levélo coverage: the bike-share network is densest in the centre and along
 * the Prado and the coast, and thin in the north and east.
 */
export const BIKE_COVERAGE: Readonly<Record<string, number>> = Object.freeze({
  '13201': 1.6,
  '13202': 1.5,
  '13203': 1.1,
  '13204': 1.1,
  '13205': 1.2,
  '13206': 1.6,
  '13207': 1.3,
  '13208': 1.2,
  '13209': 0.8,
  '13210': 0.9,
  '13211': 0.7,
  '13212': 0.7,
  '13213': 0.7,
  '13214': 0.7,
  '13215': 0.7,
  '13216': 0.6,
});

/** The total of each kind over the city, and the least any district gets. */
const TOTALS: Readonly<Record<SeedKind, { total: number; min: number }>> = {
  businesses: { total: 800, min: 5 },
  // At least 2, so every district has a sensor on two of its roads.
  trafficSensors: { total: 144, min: 2 },
  // Every district keeps its own station (the district's air-quality answer).
  airQualityStations: { total: 24, min: 1 },
  bikeStations: { total: 64, min: 1 },
};

const FACTORS: Readonly<
  Record<SeedKind, Readonly<Record<string, number>> | null>
> = {
  businesses: ACTIVITY,
  trafficSensors: TRAFFIC_PRESSURE,
  airQualityStations: null,
  bikeStations: BIKE_COVERAGE,
};

/** A district's latest population (INSEE population municipale). */
export function populationOf(district: DistrictRecord): number {
  const population = district.population[LATEST_POPULATION_YEAR];
  // Every arrondissement has every vintage in the reference data.
  if (population === undefined)
    throw new Error(
      `no ${LATEST_POPULATION_YEAR} population for ${district.code}`,
    );
  return population;
}

/**
 * Splits `total` over the keys in proportion to `weights` (largest
 * remainder), giving each at least `min`; the result sums to `total` unless
 * the minimums alone exceed it.
 */
export function apportion(
  total: number,
  weights: Readonly<Record<string, number>>,
  min = 0,
): Record<string, number> {
  const keys = Object.keys(weights);
  const sum = keys.reduce((s, k) => s + (weights[k] ?? 0), 0);
  const quota = new Map(
    keys.map((k) => [k, (total * (weights[k] ?? 0)) / sum]),
  );
  const counts: Record<string, number> = {};
  for (const k of keys)
    counts[k] = Math.max(min, Math.floor(quota.get(k) ?? 0));
  let left = total - keys.reduce((s, k) => s + (counts[k] ?? 0), 0);
  // Minimums given beyond the quotas are taken back from the others, the
  // most over-served first.
  while (left < 0) {
    const over = keys
      .filter((k) => (counts[k] ?? 0) > min)
      .sort(
        (a, b) =>
          (counts[b] ?? 0) -
            (quota.get(b) ?? 0) -
            ((counts[a] ?? 0) - (quota.get(a) ?? 0)) || a.localeCompare(b),
      )[0];
    if (over === undefined) break;
    counts[over] = (counts[over] ?? 0) - 1;
    left += 1;
  }
  // Then the rest by largest fractional part; ties in key order, so the
  // split is stable.
  const byRemainder = keys
    .filter((k) => (counts[k] ?? 0) < (quota.get(k) ?? 0))
    .sort((a, b) => {
      const ra = (quota.get(a) ?? 0) - (counts[a] ?? 0);
      const rb = (quota.get(b) ?? 0) - (counts[b] ?? 0);
      return rb - ra || a.localeCompare(b);
    });
  for (const k of byRemainder) {
    if (left <= 0) break;
    counts[k] = (counts[k] ?? 0) + 1;
    left -= 1;
  }
  return counts;
}

function planFor(kind: SeedKind): Readonly<Record<string, number>> {
  const factor = FACTORS[kind];
  const weights = Object.fromEntries(
    DISTRICTS.map((d) => [d.code, populationOf(d) * (factor?.[d.code] ?? 1)]),
  );
  const { total, min } = TOTALS[kind];
  return Object.freeze(apportion(total, weights, min));
}

/** The number of each kind per district (INSEE code), e.g. `SEED_PLAN.trafficSensors['13213']`. */
export const SEED_PLAN: Readonly<
  Record<SeedKind, Readonly<Record<string, number>>>
> = Object.freeze({
  businesses: planFor('businesses'),
  trafficSensors: planFor('trafficSensors'),
  airQualityStations: planFor('airQualityStations'),
  bikeStations: planFor('bikeStations'),
});

/** How many of `kind` the seed gives the district with this code (0 for an unknown code). */
export function seedCount(kind: SeedKind, code: string): number {
  return SEED_PLAN[kind][code] ?? 0;
}

/** The ids of the traffic sensors mobility seeds in a district: `mob-ts-<INSEE>-<01..n>`. */
export function seededTrafficSensorIds(code: string): string[] {
  return Array.from(
    { length: seedCount('trafficSensors', code) },
    (_, i) => `mob-ts-${code}-${String(i + 1).padStart(2, '0')}`,
  );
}
