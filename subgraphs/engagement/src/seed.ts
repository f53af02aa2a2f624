/**
 * Engagement's deterministic seed: 6 training programmes and 60 workshops
 * (September to December 2026) with their enrolments, 2,000 Open311 citizen
 * reports over the seed window (some about mobility's traffic lights and
 * environment's water meters), 8 surveys with aggregated results, and
 * 16 districts × 12 months of digital-inclusion indicators. Every person is
 * synthetic: names drawn from common French names, emails @example.fr,
 * phones in ARCEP's range reserved for fiction (06 39 98 xx xx). Indicator
 * levels are synthetic too, shaped by a per-district deprivation factor
 * (documented in README.md), not official statistics.
 */
import { readFileSync } from 'node:fs';
import {
  findDistrict,
  type DistrictRecord,
} from '../../../lib/subgraph-kit/districts.js';
import {
  SEED_DISTRICTS,
  SEED_WINDOW,
  SeededRandom,
  upsertAll,
} from '../../../lib/subgraph-kit/seeding.js';
import { seedSource } from '../../../lib/subgraph-kit/provenance.js';
import { streetsOf } from '../../../lib/subgraph-kit/streets.js';
import type {
  CitizenReportDoc,
  DigitalInclusionIndicatorDoc,
  EngagementModels,
  EnrolmentDoc,
  SurveyDoc,
  SurveyQuestionDoc,
  TrainingProgramDoc,
  WorkshopDoc,
} from './models/index.js';
import { SERVICE_TYPES, type ServiceTypeRecord } from './serviceTypes.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SOURCE = seedSource('engagement');

/** One of the seed's data files (synthetic lists, see README.md), parsed. */
function seedData<T>(name: string): T {
  return JSON.parse(
    readFileSync(new URL(`./seedData/${name}.json`, import.meta.url), 'utf8'),
  ) as T;
}

const PEOPLE = seedData<{
  firstNames: string[];
  lastNames: string[];
}>('people');

/**
 * Per district: a synthetic deprivation factor (0 well-off to 1 deprived,
 * following the well-known north/centre versus south/east contrast of
 * Marseille; it shapes the synthetic inclusion indicators and reports) and
 * remoteness from the dense fibre-rich centre (0 centre to 1 outskirts); the
 * district of each of economy's innovation hubs (as economy's seed places
 * them), so that a workshop hosted in a hub is located there.
 */
const DISTRICT_FACTORS = seedData<{
  deprivation: Record<string, number>;
  outskirts: Record<string, number>;
  hubDistrict: Record<string, string>;
}>('districts');

/** Service types with their relative frequency, sample descriptions and status notes. */
const REPORTS = seedData<{
  serviceWeights: Record<string, number>;
  descriptions: Record<string, string[]>;
  closingNotes: string[];
  openNotes: (string | null)[];
}>('reports');

const PROGRAMMES = seedData<{
  programmes: Omit<TrainingProgramDoc, 'startsOn' | 'endsOn'>[];
  workshopTitles: Record<WorkshopDoc['topic'], string[]>;
}>('programmes');

interface SurveyDefinition {
  id: string;
  title: string;
  description: string;
  district: string | null;
  opensAt: string;
  closesAt: string;
  questions: (
    | {
        kind: 'SINGLE_CHOICE' | 'MULTIPLE_CHOICE';
        text: string;
        options: string[];
      }
    | { kind: 'RATING'; text: string; options?: never }
  )[];
}

const SURVEY_DEFINITIONS = seedData<{ surveys: SurveyDefinition[] }>(
  'surveys',
).surveys;

interface Quartier {
  name: string;
  arrondissementInseeCode: string;
}

const QUARTIERS = (
  JSON.parse(
    readFileSync(
      new URL(
        '../../../lib/subgraph-kit/data/marseille/quartiers.json',
        import.meta.url,
      ),
      'utf8',
    ),
  ) as { quartiers: Quartier[] }
).quartiers;

function quartiersOf(district: DistrictRecord): string[] {
  const names = QUARTIERS.filter(
    (q) => q.arrondissementInseeCode === district.code,
  ).map((q) => q.name);
  return names.length > 0 ? names : [district.name];
}

const ascii = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');

/** Picks an item with probability proportional to its weight. */
function weighted<T>(rng: SeededRandom, items: readonly [T, number][]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = rng.next() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  const last = items.at(-1);
  if (!last) throw new Error('weighted pick from an empty list');
  return last[0];
}

const populationOf = (d: DistrictRecord) =>
  Object.values(d.population).at(-1) ?? 1;

/** A synthetic person: name, email @example.fr, phone in the fiction range. */
function person(rng: SeededRandom, taken: Set<string>) {
  for (;;) {
    const first = rng.pick(PEOPLE.firstNames);
    const last = rng.pick(PEOPLE.lastNames);
    const email = `${ascii(first)}.${ascii(last)}${rng.int(1, 99)}@example.fr`;
    if (taken.has(email)) continue;
    taken.add(email);
    const phone = `+33 6 39 98 ${String(rng.int(0, 99)).padStart(2, '0')} ${String(rng.int(0, 99)).padStart(2, '0')}`;
    return { name: `${first} ${last}`, email, phone };
  }
}

/** Generates every engagement document (pure: same output on every run). */
export function generateEngagementSeed() {
  // One random sequence, drawn in this order: each part's output depends on
  // what the parts before it drew.
  const rng = new SeededRandom('engagement');
  const people = new Set<string>();
  const { programs, workshops, enrolments } = generateWorkshops(rng, people);
  const reports = generateReports(rng, people);
  const surveys = generateSurveys(rng);
  const indicators = generateIndicators(rng);
  return { programs, workshops, enrolments, reports, surveys, indicators };
}

/**
 * Training programmes and workshops (September to mid-December 2026, so some
 * lie after the seed window, open for enrolment, and most before) with their
 * enrolments.
 */
function generateWorkshops(rng: SeededRandom, people: Set<string>) {
  const districtWeights = SEED_DISTRICTS.map(
    (d) =>
      [
        d,
        populationOf(d) * (1 + (DISTRICT_FACTORS.deprivation[d.code] ?? 0.5)),
      ] as [DistrictRecord, number],
  );

  const programs: TrainingProgramDoc[] = [];
  const workshops: WorkshopDoc[] = [];
  const enrolments: EnrolmentDoc[] = [];
  const season = {
    from: new Date('2026-09-07T00:00:00Z').getTime(),
    to: new Date('2026-12-18T00:00:00Z').getTime(),
  };
  const plan: {
    program: (typeof PROGRAMMES.programmes)[number] | null;
    topic: WorkshopDoc['topic'];
  }[] = [];
  for (const program of PROGRAMMES.programmes)
    for (let i = 0; i < 8; i++) plan.push({ program, topic: program.topic });
  for (let i = 0; i < 12; i++)
    plan.push({
      program: null,
      topic: rng.pick(['OPEN_DATA', 'CIVIC_TECH'] as const),
    });

  const titleCount = new Map<string, number>();
  plan.forEach(({ program, topic }, index) => {
    const id = `eng-ws-${String(index + 1).padStart(3, '0')}`;
    const entrepreneurial =
      topic === 'ENTREPRENEURSHIP' ||
      topic === 'CODING' ||
      topic === 'CIVIC_TECH';
    const hostStartupId =
      entrepreneurial || rng.next() < 0.15
        ? `eco-su-${String(rng.int(1, 40)).padStart(2, '0')}`
        : null;
    const hostHubId =
      topic === 'ENTREPRENEURSHIP' || (entrepreneurial && rng.next() < 0.5)
        ? `eco-hub-${rng.int(1, 6)}`
        : null;
    // A workshop in a hub takes place in the hub's district.
    const hubDistrict = hostHubId
      ? findDistrict(DISTRICT_FACTORS.hubDistrict[hostHubId] ?? '')
      : undefined;
    const district = hubDistrict ?? weighted(rng, districtWeights);
    const day =
      Math.floor(season.from / DAY) +
      rng.int(0, (season.to - season.from) / DAY);
    // 9:00, 14:00 or 18:00 in Marseille (UTC+1 in the autumn after October).
    const startsAt = new Date(day * DAY + rng.pick([8, 13, 17]) * HOUR);
    const endsAt = new Date(startsAt.getTime() + rng.pick([2, 2, 3]) * HOUR);
    const capacity = rng.int(10, 25);
    const quartier = rng.pick(quartiersOf(district));
    const venue = hostHubId
      ? `Hub d'innovation partenaire (${quartier})`
      : `${rng.pick(['Médiathèque', 'Centre social', 'Maison pour tous', 'France Services'])} ${quartier}`;
    const baseTitle = rng.pick(PROGRAMMES.workshopTitles[topic]);
    const n = (titleCount.get(baseTitle) ?? 0) + 1;
    titleCount.set(baseTitle, n);
    const audience: WorkshopDoc['audience'] =
      topic === 'CODING'
        ? 'YOUTH'
        : topic === 'ONLINE_SERVICES'
          ? rng.pick(['ALL', 'SENIORS', 'JOB_SEEKERS'] as const)
          : topic === 'DIGITAL_BASICS'
            ? rng.pick(['SENIORS', 'ALL', 'FAMILIES'] as const)
            : 'ALL';
    const past = startsAt.getTime() < SEED_WINDOW.to.getTime();
    const enrolledCount = Math.round(
      capacity * (past ? rng.float(0.5, 1) : rng.float(0.15, 0.75)),
    );
    workshops.push({
      _id: id,
      title: n > 1 ? `${baseTitle} (session ${n})` : baseTitle,
      description: `${baseTitle}. Atelier gratuit, ${capacity} places, animé par ${
        hostStartupId ? 'une startup partenaire' : 'des médiateurs numériques'
      }.`,
      topic,
      audience,
      venue,
      location: rng.pointIn(district),
      district: district.code,
      startsAt,
      endsAt,
      capacity,
      enrolledCount,
      programId: program?._id ?? null,
      hostStartupId,
      hostHubId,
    });
    for (let k = 1; k <= enrolledCount; k++) {
      const who = person(rng, people);
      const home =
        rng.next() < 0.65 ? district : weighted(rng, districtWeights);
      const latest = Math.min(
        startsAt.getTime() - HOUR,
        SEED_WINDOW.to.getTime(),
      );
      enrolments.push({
        _id: `eng-en-${id}-${String(k).padStart(3, '0')}`,
        workshopId: id,
        district: home.code,
        enrolledAt: new Date(latest - rng.int(1, 21 * 24) * HOUR),
        participantName: who.name,
        participantEmail: who.email,
        participantPhone: rng.next() < 0.6 ? who.phone : null,
        enrolledBy: null,
      });
    }
  });
  for (const program of PROGRAMMES.programmes) {
    const own = workshops.filter((w) => w.programId === program._id);
    const starts = own.map((w) => w.startsAt.getTime());
    programs.push({
      ...program,
      startsOn: new Date(Math.floor(Math.min(...starts) / DAY) * DAY),
      endsOn: new Date(Math.floor(Math.max(...starts) / DAY) * DAY),
    });
  }

  return { programs, workshops, enrolments };
}

/** Citizen reports: 2,000 over the seed window, mostly in daytime. */
function generateReports(
  rng: SeededRandom,
  people: Set<string>,
): CitizenReportDoc[] {
  const services = SERVICE_TYPES.map(
    (s) =>
      [s, REPORTS.serviceWeights[s.serviceCode] ?? 1] as [
        ServiceTypeRecord,
        number,
      ],
  );
  const reportDistricts = SEED_DISTRICTS.map(
    (d) => [d, populationOf(d)] as [DistrictRecord, number],
  );
  const windowMs = SEED_WINDOW.to.getTime() - SEED_WINDOW.from.getTime();
  const times: number[] = [];
  while (times.length < 2000) {
    const t =
      SEED_WINDOW.from.getTime() +
      Math.floor((rng.next() * windowMs) / 1000) * 1000;
    const hour = (new Date(t).getUTCHours() + 1) % 24;
    if (hour >= 7 && hour <= 22 ? true : rng.next() < 0.15) times.push(t);
  }
  times.sort((a, b) => a - b);
  return times.map((t, i) => {
    const service = weighted(rng, services);
    const district = weighted(rng, reportDistricts);
    const requestedDatetime = new Date(t);
    const ageHours = (SEED_WINDOW.to.getTime() - t) / HOUR;
    const closed = rng.next() < Math.min(0.85, (ageHours / 96) * 1.1);
    const updatedDatetime = closed
      ? new Date(t + rng.float(0.1, 0.95) * (SEED_WINDOW.to.getTime() - t))
      : rng.next() < 0.4
        ? new Date(t + rng.float(0, 0.5) * (SEED_WINDOW.to.getTime() - t))
        : requestedDatetime;
    const reporter = rng.next() < 0.75 ? person(rng, people) : null;
    const withPhone = reporter !== null && rng.next() < 0.45;
    return {
      _id: `eng-cr-${String(i + 1).padStart(5, '0')}`,
      serviceCode: service.serviceCode,
      serviceName: service.serviceName,
      description: rng.pick(
        REPORTS.descriptions[service.serviceCode] ?? [service.description],
      ),
      status: closed ? 'closed' : 'open',
      statusNotes: closed
        ? rng.pick(REPORTS.closingNotes)
        : rng.pick(REPORTS.openNotes),
      agencyResponsible: service.agencyResponsible,
      requestedDatetime,
      updatedDatetime,
      address:
        rng.next() < 0.9
          ? `${rng.int(1, 180)} ${rng.pick(streetsOf(district.code))} (${rng.pick(quartiersOf(district))}), ${district.postalCode} Marseille`
          : null,
      district: district.code,
      location: rng.pointIn(district),
      trafficLightId:
        service.assetType === 'TrafficLight' && rng.next() < 0.9
          ? `mob-tl-${district.code}-${String(rng.int(1, 4)).padStart(2, '0')}`
          : null,
      waterMeterId:
        service.assetType === 'WaterMeter' && rng.next() < 0.85
          ? `env-wm-${district.code}-${rng.int(1, 3)}`
          : null,
      reporterName: reporter?.name ?? null,
      reporterEmail: reporter?.email ?? null,
      reporterPhone: withPhone ? (reporter?.phone ?? null) : null,
      submittedBy: null,
      // Provenance like an ingested report: the seed, received when filed.
      source: SOURCE,
      receivedAt: requestedDatetime,
    };
  });
}

/** Surveys: aggregated results only. */
function generateSurveys(rng: SeededRandom): SurveyDoc[] {
  return SURVEY_DEFINITIONS.map((def) => {
    const responseCount = rng.int(120, 1400);
    const questions: SurveyQuestionDoc[] = def.questions.map((q, j) => {
      const answerCount = Math.round(responseCount * rng.float(0.8, 1));
      const questionId = `${def.id}-q${j + 1}`;
      if (q.kind === 'RATING') {
        const weights = [1, 2, 3, 4, 5].map(() => rng.float(0.2, 1));
        const total = weights.reduce((a, b) => a + b, 0);
        const ratingCounts = weights.map((w) =>
          Math.floor((w / total) * answerCount),
        );
        ratingCounts[2] =
          (ratingCounts[2] ?? 0) +
          answerCount -
          ratingCounts.reduce((a, b) => a + b, 0);
        return {
          questionId,
          text: q.text,
          kind: q.kind,
          options: [],
          ratingCounts,
          answerCount,
        };
      }
      const weights = q.options.map(() => rng.float(0.1, 1));
      const total = weights.reduce((a, b) => a + b, 0);
      const options = q.options.map((label, k) => ({
        optionId: `${questionId}-o${k + 1}`,
        label,
        count:
          q.kind === 'SINGLE_CHOICE'
            ? Math.floor(((weights[k] ?? 0) / total) * answerCount)
            : Math.round(answerCount * rng.float(0.1, 0.7)),
      }));
      if (q.kind === 'SINGLE_CHOICE') {
        const first = options[0];
        if (first)
          first.count += answerCount - options.reduce((a, o) => a + o.count, 0);
      }
      return {
        questionId,
        text: q.text,
        kind: q.kind,
        options,
        ratingCounts: [],
        answerCount,
      };
    });
    return {
      _id: def.id,
      title: def.title,
      description: def.description,
      district: def.district,
      opensAt: new Date(def.opensAt),
      closesAt: new Date(def.closesAt),
      responseCount,
      questions,
    };
  });
}

/** Digital-inclusion indicators: 16 districts, December 2025 to November 2026. */
function generateIndicators(rng: SeededRandom): DigitalInclusionIndicatorDoc[] {
  const indicators: DigitalInclusionIndicatorDoc[] = [];
  for (const district of SEED_DISTRICTS) {
    const deprivation = DISTRICT_FACTORS.deprivation[district.code] ?? 0.5;
    const outskirts = DISTRICT_FACTORS.outskirts[district.code] ?? 0.3;
    const population = populationOf(district);
    let coverage = 97 - 22 * outskirts - 6 * deprivation + rng.float(-1.5, 1.5);
    let offline = 6 + 16 * deprivation + rng.float(-1, 1);
    for (let m = 0; m < 12; m++) {
      const observedAt = new Date(Date.UTC(2025, 11 + m, 1));
      const period = observedAt.toISOString().slice(0, 7);
      coverage = Math.min(99.5, coverage + rng.float(0.1, 0.6));
      offline = Math.max(2, offline - rng.float(0, 0.25));
      const month = observedAt.getUTCMonth();
      const seasonFactor = month === 7 ? 0.3 : month === 6 ? 0.7 : 1;
      const sessions = Math.round(
        (population / 10_000) *
          (3 + 9 * deprivation) *
          seasonFactor *
          rng.float(0.85, 1.15),
      );
      indicators.push({
        _id: `eng-di-${district.code}-${period}`,
        district: district.code,
        period,
        observedAt,
        broadbandCoverage: Math.round(coverage * 10) / 10,
        residentsWithoutInternet: Math.round(offline * 10) / 10,
        digitalHelpSessions: sessions,
        digitalHelpAttendees: Math.round(sessions * rng.float(4, 9)),
      });
    }
  }

  return indicators;
}

/** Writes the seed (idempotent); returns the count per collection. */
export async function seedEngagement(
  models: EngagementModels,
): Promise<Record<string, number>> {
  const data = generateEngagementSeed();
  await models.Enrolment.init();
  return {
    training_programs: await upsertAll(models.TrainingProgram, data.programs),
    workshops: await upsertAll(models.Workshop, data.workshops),
    enrolments: await upsertAll(models.Enrolment, data.enrolments),
    citizen_reports: await upsertAll(models.CitizenReport, data.reports),
    surveys: await upsertAll(models.Survey, data.surveys),
    digital_inclusion_indicators: await upsertAll(
      models.DigitalInclusionIndicator,
      data.indicators,
    ),
  };
}
