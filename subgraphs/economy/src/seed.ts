/**
 * Economy's deterministic seed: 800 businesses shared out by population and
 * economic activity (lib/subgraph-kit/seedPlan.ts: 91 in the 8e, 15 in the
 * 16e; synthetic but well-formed SIRET numbers), 6 innovation hubs next to RTM
 * metro stations, 40 startups (38 hosted), their funding rounds, and 24
 * months of market indicators per district (384) whose openings per NAF
 * section are the registry's own businesses founded that month, and whose
 * closures never exceed the registry's count of the sector. Every figure and
 * name is synthetic, shaped to be plausible for Marseille (commerce and
 * restaurants in the centre, the tertiary hub at Euroméditerranée, logistics
 * and industry in the north); hub names and placements are approximate (see
 * README.md).
 */
import {
  SEED_DISTRICTS,
  SEED_WINDOW,
  SeededRandom,
  upsertAll,
} from '../../../lib/subgraph-kit/seeding.js';
import {
  findDistrict,
  type DistrictRecord,
} from '../../../lib/subgraph-kit/districts.js';
import { seedCount } from '../../../lib/subgraph-kit/seedPlan.js';
import type {
  BusinessDoc,
  EconomyModels,
  InnovationHubDoc,
  InvestmentDoc,
  MarketIndicatorDoc,
  SectorFlowDoc,
  StartupDoc,
} from './models/index.js';
import {
  luhnCheckDigit,
  NAF_SECTION_CODES,
  type NafSection,
  type SizeBand,
} from './naf.js';

/** Citywide weights of NAF sections among establishments (roughly SIRENE's shape). */
const SECTOR_WEIGHTS: Partial<Record<NafSection, number>> = {
  G: 20,
  I: 10,
  M: 12,
  F: 9,
  Q: 10,
  N: 7,
  J: 5,
  H: 4,
  L: 6,
  S: 6,
  K: 3,
  C: 3,
  R: 3,
  P: 2,
  E: 0.5,
  D: 0.3,
  O: 0.2,
  A: 0.2,
};

/** District tilts: sectors over-represented in some arrondissements. */
const DISTRICT_TILT: Record<string, Partial<Record<NafSection, number>>> = {
  '13201': { G: 2, I: 2 },
  '13202': { J: 3, M: 2, K: 2, H: 2 },
  '13203': { R: 3, J: 2 },
  '13205': { Q: 2.5 },
  '13206': { G: 1.5, I: 1.5, M: 1.5 },
  '13207': { I: 2 },
  '13208': { L: 2, Q: 1.5, P: 2 },
  '13209': { P: 2.5, M: 1.5 },
  '13213': { M: 2, C: 1.5 },
  '13214': { H: 2, C: 2 },
  '13215': { H: 3, C: 2, F: 2 },
  '13216': { H: 2.5, C: 2 },
};

const NAME_PREFIX: Partial<Record<NafSection, readonly string[]>> = {
  A: ['Maraîchers', 'Pêcheurs'],
  C: ['Savonnerie', 'Ateliers', 'Chantiers navals', 'Biscuiterie'],
  D: ['Énergies', 'Solaire'],
  E: ['Recyclage', 'Dépollution'],
  F: ['Bâtiment', 'Maçonnerie', 'Rénovation'],
  G: ['Épicerie', 'Boutique', 'Librairie', 'Pharmacie', 'Fromagerie'],
  H: ['Transports', 'Logistique', 'Transit maritime'],
  I: ['Restaurant', 'Café', 'Brasserie', 'Hôtel'],
  J: ['Studio numérique', 'Éditions', 'Radio', 'Agence web'],
  K: ['Assurances', 'Courtage', 'Banque'],
  L: ['Immobilier', 'Agence immobilière'],
  M: ['Cabinet', 'Bureau d’études', 'Architectes', 'Laboratoire'],
  N: ['Nettoyage', 'Sécurité', 'Intérim'],
  O: ['Régie'],
  P: ['École', 'Formation', 'Auto-école'],
  Q: ['Cabinet médical', 'Centre de santé', 'Kinésithérapie', 'Crèche'],
  R: ['Théâtre', 'Salle de sport', 'Galerie'],
  S: ['Coiffure', 'Pressing', 'Réparation'],
};

const NAME_SUFFIX = [
  'du Vieux-Port',
  'Phocéen',
  'Massilia',
  'de la Canebière',
  'du Panier',
  'des Calanques',
  'Mistral',
  'de la Bonne Mère',
  "de l'Estaque",
  'de Noailles',
  'du Prado',
  'de la Joliette',
  'Saint-Victor',
  'des Goudes',
  'du Frioul',
  'Longchamp',
];

/** The innovation hubs: id, name, district, capacity (mobility finds the nearest transit stop from the location). */
const HUBS = [
  ['eco-hub-1', 'Euroméditerranée – Les Docks', '13202', 12],
  ['eco-hub-2', 'Pôle Média Belle de Mai', '13203', 10],
  ['eco-hub-3', 'Campus numérique Saint-Charles', '13201', 8],
  ['eco-hub-4', 'Biopôle La Timone', '13205', 8],
  ['eco-hub-5', 'Castellane Innovation', '13206', 8],
  ['eco-hub-6', 'Technopôle Marseille Sud', '13208', 8],
] as const;

const STARTUP_PREFIX = [
  'Calanque',
  'Mistral',
  'Phocea',
  'Massilia',
  'Cigale',
  'Frioul',
  'Goudes',
  'Panier',
  'Sormiou',
  'Pharo',
];

/** Startup lines of business: name suffix, NAF section, focuses. */
const STARTUP_KINDS = [
  [
    'Data',
    'J',
    ['open-data analytics for cities', 'port logistics data platform'],
  ],
  ['Bio', 'M', ['marine biotechnology', 'rapid diagnostics']],
  ['Sea', 'H', ['maritime logistics software', 'port decarbonisation']],
  ['Energy', 'D', ['solar self-consumption', 'district energy storage']],
] as const;

const INVESTORS: Record<InvestmentDoc['round'], readonly string[]> = {
  GRANT: ['Bpifrance Bourse French Tech', 'Région Sud', 'Ville de Marseille'],
  PRE_SEED: ['Provence Business Angels', 'Marseille Angels', 'Love money'],
  SEED: ['Fonds Méditerranée Amorçage', 'Provence Business Angels', 'Sud Seed'],
  SERIES_A: [
    'Capital Azur Ventures',
    'Méditerranée Croissance',
    'Calanques Capital',
  ],
  SERIES_B: ['Euro Growth Partners', 'Capital Azur Ventures'],
  SERIES_C: ['Euro Growth Partners', 'Atlantic & Med Equity'],
};

/** Amount ranges of rounds, EUR. */
const ROUND_AMOUNTS: Record<InvestmentDoc['round'], [number, number]> = {
  GRANT: [20_000, 150_000],
  PRE_SEED: [50_000, 300_000],
  SEED: [300_000, 2_000_000],
  SERIES_A: [2_000_000, 10_000_000],
  SERIES_B: [10_000_000, 30_000_000],
  SERIES_C: [30_000_000, 80_000_000],
};

const ROUNDS_BY_STAGE: Record<StartupDoc['stage'], InvestmentDoc['round'][]> = {
  PRE_SEED: ['GRANT'],
  SEED: ['GRANT', 'PRE_SEED', 'SEED'],
  SERIES_A: ['PRE_SEED', 'SEED', 'SERIES_A'],
  SERIES_B: ['SEED', 'SERIES_A', 'SERIES_B'],
  GROWTH: ['SEED', 'SERIES_A', 'SERIES_B', 'SERIES_C'],
};

/** Months of market indicators, ending with the last full month before the seed window. */
export const INDICATOR_MONTHS = 24;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const DAY = 86_400_000;

function weightedPick<T extends string>(
  rng: SeededRandom,
  weights: Partial<Record<T, number>>,
): T {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let x = rng.next() * total;
  for (const [key, w] of entries) {
    x -= w;
    if (x < 0) return key;
  }
  const last = entries.at(-1);
  if (!last) throw new Error('weightedPick from no weights');
  return last[0];
}

/** Sector weights of a district: citywide weights times its tilt. */
function districtWeights(code: string): Partial<Record<NafSection, number>> {
  const tilt = DISTRICT_TILT[code] ?? {};
  const weights: Partial<Record<NafSection, number>> = {};
  for (const [section, w] of Object.entries(SECTOR_WEIGHTS) as [
    NafSection,
    number,
  ][])
    weights[section] = w * (tilt[section] ?? 1);
  return weights;
}

/** A synthetic SIRET: SIREN (8 digits + Luhn) and NIC (4 digits + the digit making all 14 Luhn-valid). */
function syntheticSiret(rng: SeededRandom): string {
  const sirenBody = `${rng.int(1, 9)}${pad(rng.int(0, 9_999_999), 7)}`;
  const siren = sirenBody + luhnCheckDigit(sirenBody);
  const nicBody = `${siren}${pad(rng.int(1, 40), 4)}`;
  return nicBody + luhnCheckDigit(nicBody);
}

function randomDate(rng: SeededRandom, from: Date, to: Date): Date {
  const days = Math.floor((to.getTime() - from.getTime()) / DAY);
  return new Date(from.getTime() + rng.int(0, Math.max(0, days - 1)) * DAY);
}

function requireDistrict(code: string): DistrictRecord {
  const district = findDistrict(code);
  if (!district) throw new Error(`unknown district ${code}`);
  return district;
}

/** Generates every economy document (pure: same output on every run). */
export function generateEconomySeed() {
  const rng = new SeededRandom('economy');
  const businesses: BusinessDoc[] = [];
  const sirets = new Set<string>();

  for (const district of SEED_DISTRICTS) {
    const weights = districtWeights(district.code);
    for (let i = 1; i <= seedCount('businesses', district.code); i++) {
      const sector = weightedPick(rng, weights);
      let siret = syntheticSiret(rng);
      while (sirets.has(siret)) siret = syntheticSiret(rng);
      sirets.add(siret);
      const sizeBand = weightedPick<SizeBand>(rng, {
        MICRO: 78,
        SMALL: 15,
        MEDIUM: 5,
        LARGE: 2,
      });
      // Skewed towards recent years, as the registry's age pyramid is.
      const year = 2026 - Math.floor(rng.next() ** 2 * 60);
      const founded = randomDate(
        rng,
        new Date(Date.UTC(year, 0, 1)),
        new Date(
          Math.min(Date.UTC(year + 1, 0, 1), SEED_WINDOW.from.getTime()),
        ),
      );
      businesses.push({
        _id: `eco-biz-${district.code}-${pad(i, 3)}`,
        registryNumber: siret,
        name: `${rng.pick(NAME_PREFIX[sector] ?? ['Entreprise'])} ${rng.pick(NAME_SUFFIX)}`,
        sector,
        sizeBand,
        founded,
        district: district.code,
        location: rng.pointIn(district),
        registeredBy: null,
      });
    }
  }

  const hubs: InnovationHubDoc[] = HUBS.map(([id, name, code, capacity]) => ({
    _id: id,
    name,
    district: code,
    location: rng.pointIn(requireDistrict(code)),
    capacity,
  }));

  const startups: StartupDoc[] = [];
  const investments: InvestmentDoc[] = [];
  for (let i = 1; i <= 40; i++) {
    const prefix =
      STARTUP_PREFIX[(i - 1) % STARTUP_PREFIX.length] ?? 'Massilia';
    const kind = STARTUP_KINDS[Math.floor((i - 1) / 10) % STARTUP_KINDS.length];
    if (!kind) throw new Error('no startup kind');
    const [suffix, sector, focuses] = kind;
    const stage = weightedPick<StartupDoc['stage']>(rng, {
      PRE_SEED: 8,
      SEED: 14,
      SERIES_A: 10,
      SERIES_B: 5,
      GROWTH: 3,
    });
    const founded = randomDate(
      rng,
      new Date(Date.UTC(2015, 0, 1)),
      new Date(Date.UTC(2025, 6, 1)),
    );
    const id = `eco-su-${pad(i, 2)}`;
    startups.push({
      _id: id,
      name: `${prefix}${suffix}`,
      sector,
      focus: rng.pick(focuses),
      stage,
      founded,
      // The last two are not hosted by any hub.
      hubId: i <= 38 ? (hubs[(i - 1) % hubs.length]?._id ?? null) : null,
    });
    const rounds = ROUNDS_BY_STAGE[stage];
    const span = SEED_WINDOW.from.getTime() - founded.getTime();
    rounds.forEach((round, n) => {
      const [min, max] = ROUND_AMOUNTS[round];
      // Rounds spread in order over the startup's life.
      const at = new Date(
        founded.getTime() +
          Math.floor(
            (((n + rng.float(0.3, 0.9)) / rounds.length) * span) / DAY,
          ) *
            DAY,
      );
      investments.push({
        _id: `eco-inv-${pad(i, 2)}-${n + 1}`,
        startupId: id,
        investor: rng.pick(INVESTORS[round]),
        round,
        date: at,
        amount: Math.round(rng.int(min, max) / 1000) * 1000,
      });
    });
  }

  const indicators: MarketIndicatorDoc[] = [];
  const windowStart = SEED_WINDOW.from;
  const lastMonth = Date.UTC(
    windowStart.getUTCFullYear(),
    windowStart.getUTCMonth() - 1,
    1,
  );
  // A closed establishment leaves the registry, which keeps no closure date
  // yet: closures are modelled, at about 0.6 % of a sector's establishments a
  // month, and never more than the registry holds of the sector.
  const MONTHLY_CLOSURE_RATE = 0.006;
  for (const district of SEED_DISTRICTS) {
    const population = Object.values(district.population).at(-1) ?? 50_000;
    const registry = businesses.filter((b) => b.district === district.code);
    const jobsPerResident =
      district.code === '13202' ? 1.1 : district.code === '13201' ? 0.8 : 0.35;
    let employment = Math.round(population * jobsPerResident);
    let vacancy = rng.float(
      district.code === '13201' ? 11 : 5,
      district.code === '13201' ? 16 : 12,
      1,
    );
    for (let m = INDICATOR_MONTHS - 1; m >= 0; m--) {
      const start = new Date(lastMonth);
      start.setUTCMonth(start.getUTCMonth() - m);
      const monthIndex = start.getUTCMonth();
      const end = new Date(start);
      end.setUTCMonth(end.getUTCMonth() + 1);
      const sectorFlows: SectorFlowDoc[] = [];
      for (const sector of NAF_SECTION_CODES) {
        const ofSector = registry.filter((b) => b.sector === sector);
        // Openings: the registry's businesses of the sector founded this month.
        const openings = ofSector.filter(
          (b) => b.founded >= start && b.founded < end,
        ).length;
        // Closures: one draw per establishment of the sector open at the end
        // of the month (the registry's count then), so never more than it.
        const open = ofSector.filter((b) => b.founded < end).length;
        let closures = 0;
        for (let k = 0; k < open; k++)
          if (rng.next() < MONTHLY_CLOSURE_RATE) closures += 1;
        if (openings > 0 || closures > 0)
          sectorFlows.push({ sector, openings, closures });
      }
      const businessOpenings = sectorFlows.reduce((s, f) => s + f.openings, 0);
      const businessClosures = sectorFlows.reduce((s, f) => s + f.closures, 0);
      employment = Math.max(
        0,
        employment +
          (businessOpenings - businessClosures) * rng.int(1, 4) +
          rng.int(-40, 40),
      );
      vacancy = Math.min(
        30,
        Math.max(
          2,
          Math.round(
            (vacancy -
              (businessOpenings - businessClosures) * 0.01 +
              rng.float(-0.3, 0.3)) *
              10,
          ) / 10,
        ),
      );
      const month = `${start.getUTCFullYear()}-${pad(monthIndex + 1, 2)}`;
      indicators.push({
        _id: `eco-mi-${district.code}-${month}`,
        district: district.code,
        month,
        periodStart: start,
        businessOpenings,
        businessClosures,
        employment,
        vacancyRate: vacancy,
        sectorFlows,
      });
    }
  }

  return { businesses, hubs, startups, investments, indicators };
}

/** Writes the seed (idempotent); returns the count per collection. */
export async function seedEconomy(
  models: EconomyModels,
): Promise<Record<string, number>> {
  const data = generateEconomySeed();
  // The unique index on registryNumber exists before any write relies on it.
  await models.Business.init();
  return {
    businesses: await upsertAll(models.Business, data.businesses),
    innovation_hubs: await upsertAll(models.InnovationHub, data.hubs),
    startups: await upsertAll(models.Startup, data.startups),
    investments: await upsertAll(models.Investment, data.investments),
    market_indicators: await upsertAll(models.MarketIndicator, data.indicators),
  };
}
