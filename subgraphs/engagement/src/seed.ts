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

const FIRST_NAMES = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Inès',
  'Sarah',
  'Yasmine',
  'Emma',
  'Louise',
  'Nadia',
  'Fatima',
  'Sophie',
  'Martine',
  'Isabelle',
  'Amina',
  'Claire',
  'Lucas',
  'Hugo',
  'Nathan',
  'Mehdi',
  'Karim',
  'Thomas',
  'Julien',
  'Nicolas',
  'Antoine',
  'Mohamed',
  'Rayan',
  'Paul',
  'Jean',
  'Pierre',
  'Marc',
  'Sébastien',
  'Yanis',
  'Théo',
  'Gabriel',
  'Bernard',
  'Samir',
  'Olivier',
  'Anaïs',
  'Mireille',
];
const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Durand',
  'Rossi',
  'Garcia',
  'Martinez',
  'Lopez',
  'Moreau',
  'Fabre',
  'Blanc',
  'Girard',
  'Roux',
  'Fontaine',
  'Mercier',
  'Benali',
  'Haddad',
  'Mansour',
  'Bouzid',
  'Ferrari',
  'Esposito',
  'Nguyen',
  'Santini',
  'Pons',
  'Arnaud',
  'Michel',
  'Gauthier',
  'Chevalier',
  'Bonnet',
  'Castellani',
  'Bianchi',
  'Diallo',
  'Ait Ali',
  'Olivier',
  'Barbier',
  'Meunier',
  'Lambert',
  'Marchetti',
  'Ricard',
  'Maurin',
  'Giraud',
];
const STREETS = [
  'rue de la République',
  'boulevard National',
  'avenue du Prado',
  'rue Paradis',
  'rue de Rome',
  'boulevard Baille',
  'avenue de la Capelette',
  'boulevard de la Libération',
  'rue Saint-Pierre',
  'chemin de Sainte-Marthe',
  'avenue de Saint-Just',
  'boulevard Michelet',
  'rue Breteuil',
  'traverse de la Martine',
  "chemin de l'Argile",
  'avenue des Chartreux',
  'boulevard Sakakini',
  'rue Consolat',
  'avenue Roger Salengro',
  'chemin du Littoral',
];

/**
 * Synthetic deprivation factor per district (0 well-off to 1 deprived),
 * following the well-known north/centre versus south/east contrast of
 * Marseille; it shapes the synthetic inclusion indicators and reports.
 */
const DEPRIVATION: Record<string, number> = {
  '13201': 0.75,
  '13202': 0.7,
  '13203': 0.95,
  '13204': 0.45,
  '13205': 0.4,
  '13206': 0.35,
  '13207': 0.15,
  '13208': 0.1,
  '13209': 0.25,
  '13210': 0.4,
  '13211': 0.5,
  '13212': 0.2,
  '13213': 0.6,
  '13214': 0.85,
  '13215': 0.9,
  '13216': 0.7,
};
/** Synthetic remoteness from the dense fibre-rich centre (0 centre to 1 outskirts). */
const OUTSKIRTS: Record<string, number> = {
  '13201': 0.05,
  '13202': 0.1,
  '13203': 0.1,
  '13204': 0.1,
  '13205': 0.1,
  '13206': 0.05,
  '13207': 0.3,
  '13208': 0.3,
  '13209': 0.5,
  '13210': 0.3,
  '13211': 0.6,
  '13212': 0.5,
  '13213': 0.5,
  '13214': 0.4,
  '13215': 0.5,
  '13216': 0.9,
};

/**
 * The district of each of economy's innovation hubs (as economy's seed
 * places them), so that a workshop hosted in a hub is located there.
 */
const HUB_DISTRICT: Record<string, string> = {
  'eco-hub-1': '13202',
  'eco-hub-2': '13203',
  'eco-hub-3': '13201',
  'eco-hub-4': '13205',
  'eco-hub-5': '13206',
  'eco-hub-6': '13208',
};

/** Service types with their relative frequency in the reports. */
const SERVICE_WEIGHTS: Record<string, number> = {
  'proprete-depot': 20,
  'proprete-encombrants': 15,
  'voirie-chaussee': 14,
  'eclairage-panne': 10,
  'proprete-tag': 8,
  'stationnement-genant': 8,
  'espaces-verts': 6,
  'mobilier-degrade': 5,
  'feu-panne': 5,
  'feu-reglage': 3,
  'eau-fuite': 4,
  'eau-compteur': 2,
};

const DESCRIPTIONS: Record<string, string[]> = {
  'feu-panne': [
    'Le feu est éteint dans les deux sens, les voitures passent sans s’arrêter.',
    'Feu bloqué au rouge depuis ce matin, gros bouchon au carrefour.',
    'Le feu piéton ne passe plus au vert, les gens traversent au hasard.',
  ],
  'feu-reglage': [
    'Le vert piéton dure à peine cinq secondes, impossible de traverser avec une poussette.',
    'Attente très longue au rouge alors que la rue perpendiculaire est vide.',
  ],
  'eau-fuite': [
    'De l’eau sort de la chaussée près du compteur, ça coule depuis hier.',
    'Fuite importante au niveau d’un regard, le trottoir est inondé.',
  ],
  'eau-compteur': [
    'Le couvercle du regard de compteur est cassé, risque de chute.',
    'Compteur d’eau ouvert et endommagé devant l’immeuble.',
  ],
  'voirie-chaussee': [
    'Nid-de-poule profond au milieu de la voie, dangereux pour les deux-roues.',
    'Trottoir défoncé sur plusieurs mètres, les pavés sont descellés.',
    'Affaissement de la chaussée devant l’école.',
  ],
  'eclairage-panne': [
    'Trois lampadaires éteints d’affilée, la rue est dans le noir la nuit.',
    'Lampadaire allumé toute la journée depuis une semaine.',
  ],
  'proprete-depot': [
    'Dépôt de gravats et de sacs au coin de la rue depuis plusieurs jours.',
    'Sacs poubelles éventrés à côté des conteneurs pleins.',
    'Déchets de chantier abandonnés sur le trottoir.',
  ],
  'proprete-encombrants': [
    'Un matelas et un canapé abandonnés sur le trottoir.',
    'Vieux frigo laissé devant l’entrée de l’immeuble.',
  ],
  'proprete-tag': [
    'Tags sur la façade de l’école refaite le mois dernier.',
    'Graffiti sur l’abribus, les horaires ne sont plus lisibles.',
  ],
  'mobilier-degrade': [
    'Banc public cassé, une planche manque.',
    'Potelet arraché, il traîne sur la chaussée.',
  ],
  'espaces-verts': [
    'Grosse branche qui menace de tomber au-dessus de l’aire de jeux.',
    'Arbre tombé après le coup de mistral, il bloque l’allée du parc.',
  ],
  'stationnement-genant': [
    'Voiture garée tous les jours sur le passage piéton devant la crèche.',
    'Camionnette stationnée sur la piste cyclable toute la matinée.',
  ],
};

const CLOSING_NOTES = [
  'Intervention réalisée.',
  'Signalement traité par le service compétent.',
  'Réparation effectuée, merci pour votre signalement.',
];
const OPEN_NOTES = [
  'Transmis au service compétent.',
  'Intervention programmée.',
  null,
];

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
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const email = `${ascii(first)}.${ascii(last)}${rng.int(1, 99)}@example.fr`;
    if (taken.has(email)) continue;
    taken.add(email);
    const phone = `+33 6 39 98 ${String(rng.int(0, 99)).padStart(2, '0')} ${String(rng.int(0, 99)).padStart(2, '0')}`;
    return { name: `${first} ${last}`, email, phone };
  }
}

const PROGRAMS: Omit<TrainingProgramDoc, 'startsOn' | 'endsOn'>[] = [
  {
    _id: 'eng-tp-1',
    title: 'Premiers pas numériques',
    description:
      'Allumer un ordinateur, utiliser un smartphone, créer une adresse email : les bases, à son rythme.',
    topic: 'DIGITAL_BASICS',
    provider: 'Réseau des centres sociaux de Marseille',
  },
  {
    _id: 'eng-tp-2',
    title: 'Démarches en ligne sans stress',
    description:
      'CAF, impôts, Ameli, France Travail : faire ses démarches administratives en ligne, accompagné.',
    topic: 'ONLINE_SERVICES',
    provider: 'France Services Marseille',
  },
  {
    _id: 'eng-tp-3',
    title: 'Les données de ma ville',
    description:
      'Lire un tableau, un graphique, une carte : comprendre les données publiques de Marseille.',
    topic: 'DATA_LITERACY',
    provider: "Ville de Marseille - Direction de l'Engagement citoyen",
  },
  {
    _id: 'eng-tp-4',
    title: 'Code & Cité',
    description:
      'Initiation à la programmation pour les 12-25 ans, autour de projets utiles au quartier.',
    topic: 'CODING',
    provider: 'Réseau des bibliothèques de Marseille',
  },
  {
    _id: 'eng-tp-5',
    title: 'Cybersécurité au quotidien',
    description:
      'Mots de passe, arnaques, données personnelles : se protéger en ligne.',
    topic: 'CYBERSECURITY',
    provider: "Ville de Marseille - Direction de l'Engagement citoyen",
  },
  {
    _id: 'eng-tp-6',
    title: 'Entreprendre avec le numérique',
    description:
      'De l’idée au projet : outils numériques, financement, accompagnement par les startups marseillaises.',
    topic: 'ENTREPRENEURSHIP',
    provider: 'Incubateurs et hubs partenaires',
  },
];

const WORKSHOP_TITLES: Record<WorkshopDoc['topic'], string[]> = {
  DIGITAL_BASICS: [
    'Prendre en main son smartphone',
    'Créer et gérer sa boîte mail',
    'Faire une visio avec ses proches',
    'Ranger ses photos et documents',
  ],
  ONLINE_SERVICES: [
    'Mon espace Ameli et ma carte Vitale',
    'Déclarer ses revenus en ligne',
    'Mon dossier CAF pas à pas',
    'Prendre rendez-vous en ligne',
  ],
  DATA_LITERACY: [
    'Lire un graphique sans se tromper',
    'La qualité de l’air de mon quartier en chiffres',
    'Comprendre le budget de la ville',
    'Cartographier son quartier',
  ],
  CODING: [
    'Mon premier site web',
    'Programmer un petit jeu',
    'Robotique et capteurs',
    'Créer une appli pour son quartier',
  ],
  CYBERSECURITY: [
    'Repérer les arnaques par SMS et email',
    'Des mots de passe solides',
    'Protéger ses enfants en ligne',
    'Sécuriser son téléphone',
  ],
  OPEN_DATA: [
    'Découvrir les données ouvertes de la Métropole',
    'Explorer les données des transports',
  ],
  CIVIC_TECH: [
    'Hackathon citoyen : signaler, réparer, améliorer',
    'Atelier budget participatif numérique',
  ],
  ENTREPRENEURSHIP: [
    'Tester son idée en une journée',
    'Financer son projet : les aides à Marseille',
    'Vendre en ligne quand on est artisan',
    'Rencontre avec des fondateurs de startups',
  ],
};

/** Generates every engagement document (pure: same output on every run). */
export function generateEngagementSeed() {
  const rng = new SeededRandom('engagement');
  const people = new Set<string>();
  const districtWeights = SEED_DISTRICTS.map(
    (d) =>
      [d, populationOf(d) * (1 + (DEPRIVATION[d.code] ?? 0.5))] as [
        DistrictRecord,
        number,
      ],
  );

  // Training programmes and workshops: September to mid-December 2026, so
  // some lie after the seed window (open for enrolment) and most before.
  const programs: TrainingProgramDoc[] = [];
  const workshops: WorkshopDoc[] = [];
  const enrolments: EnrolmentDoc[] = [];
  const season = {
    from: new Date('2026-09-07T00:00:00Z').getTime(),
    to: new Date('2026-12-18T00:00:00Z').getTime(),
  };
  const plan: {
    program: (typeof PROGRAMS)[number] | null;
    topic: WorkshopDoc['topic'];
  }[] = [];
  for (const program of PROGRAMS)
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
      ? findDistrict(HUB_DISTRICT[hostHubId] ?? '')
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
    const baseTitle = rng.pick(WORKSHOP_TITLES[topic]);
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
  for (const program of PROGRAMS) {
    const own = workshops.filter((w) => w.programId === program._id);
    const starts = own.map((w) => w.startsAt.getTime());
    programs.push({
      ...program,
      startsOn: new Date(Math.floor(Math.min(...starts) / DAY) * DAY),
      endsOn: new Date(Math.floor(Math.max(...starts) / DAY) * DAY),
    });
  }

  // Citizen reports: 2,000 over the seed window, mostly in daytime.
  const services = SERVICE_TYPES.map(
    (s) =>
      [s, SERVICE_WEIGHTS[s.serviceCode] ?? 1] as [ServiceTypeRecord, number],
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
  const reports: CitizenReportDoc[] = times.map((t, i) => {
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
        DESCRIPTIONS[service.serviceCode] ?? [service.description],
      ),
      status: closed ? 'closed' : 'open',
      statusNotes: closed ? rng.pick(CLOSING_NOTES) : rng.pick(OPEN_NOTES),
      agencyResponsible: service.agencyResponsible,
      requestedDatetime,
      updatedDatetime,
      address:
        rng.next() < 0.9
          ? `${rng.int(1, 180)} ${rng.pick(STREETS)} (${rng.pick(quartiersOf(district))}), ${district.postalCode} Marseille`
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
    };
  });

  // Surveys: aggregated results only.
  const surveys: SurveyDoc[] = SURVEY_DEFINITIONS.map((def) => {
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

  // Digital-inclusion indicators: December 2025 to November 2026.
  const indicators: DigitalInclusionIndicatorDoc[] = [];
  for (const district of SEED_DISTRICTS) {
    const deprivation = DEPRIVATION[district.code] ?? 0.5;
    const outskirts = OUTSKIRTS[district.code] ?? 0.3;
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

  return { programs, workshops, enrolments, reports, surveys, indicators };
}

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

const SURVEY_DEFINITIONS: SurveyDefinition[] = [
  {
    id: 'eng-sv-1',
    title: 'Votre accès au numérique',
    description:
      'Équipement, connexion et besoins d’accompagnement des Marseillais.',
    district: null,
    opensAt: '2026-09-01T00:00:00Z',
    closesAt: '2026-10-31T00:00:00Z',
    questions: [
      {
        kind: 'SINGLE_CHOICE',
        text: 'Avez-vous une connexion internet à domicile ?',
        options: ['Oui, fibre', 'Oui, ADSL ou 4G', 'Non'],
      },
      {
        kind: 'MULTIPLE_CHOICE',
        text: 'Quels équipements utilisez-vous ?',
        options: ['Smartphone', 'Ordinateur', 'Tablette', 'Aucun'],
      },
      {
        kind: 'RATING',
        text: 'Votre aisance pour les démarches en ligne (1 à 5) ?',
      },
    ],
  },
  {
    id: 'eng-sv-2',
    title: 'Les feux tricolores de la Canebière',
    description: 'Temps d’attente et sécurité des piétons sur la Canebière.',
    district: '13201',
    opensAt: '2026-11-02T00:00:00Z',
    closesAt: '2026-12-15T00:00:00Z',
    questions: [
      {
        kind: 'RATING',
        text: 'Votre sentiment de sécurité en traversant (1 à 5) ?',
      },
      {
        kind: 'SINGLE_CHOICE',
        text: 'Le temps de vert piéton est-il suffisant ?',
        options: ['Oui', 'Non', 'Sans avis'],
      },
    ],
  },
  {
    id: 'eng-sv-3',
    title: 'Ateliers numériques : vos attentes',
    description: 'Quels ateliers la ville doit-elle proposer en 2027 ?',
    district: null,
    opensAt: '2026-10-15T00:00:00Z',
    closesAt: '2026-12-31T00:00:00Z',
    questions: [
      {
        kind: 'MULTIPLE_CHOICE',
        text: 'Quels thèmes vous intéressent ?',
        options: [
          'Démarches en ligne',
          'Smartphone',
          'Cybersécurité',
          'Programmation',
          'Données publiques',
        ],
      },
      {
        kind: 'SINGLE_CHOICE',
        text: 'Quel créneau vous convient ?',
        options: ['Matin', 'Après-midi', 'Soir', 'Samedi'],
      },
    ],
  },
  {
    id: 'eng-sv-4',
    title: 'Propreté de votre quartier',
    description:
      'Perception de la propreté et usage des signalements en ligne.',
    district: '13203',
    opensAt: '2026-06-01T00:00:00Z',
    closesAt: '2026-07-15T00:00:00Z',
    questions: [
      { kind: 'RATING', text: 'La propreté de votre rue (1 à 5) ?' },
      {
        kind: 'SINGLE_CHOICE',
        text: 'Avez-vous déjà fait un signalement en ligne ?',
        options: ['Oui', 'Non, je ne savais pas', 'Non, trop compliqué'],
      },
    ],
  },
  {
    id: 'eng-sv-5',
    title: 'Qualité de l’eau et fuites',
    description: 'Votre expérience du réseau d’eau dans les quartiers nord.',
    district: '13215',
    opensAt: '2026-10-01T00:00:00Z',
    closesAt: '2026-11-30T00:00:00Z',
    questions: [
      {
        kind: 'SINGLE_CHOICE',
        text: 'Avez-vous constaté une fuite cette année ?',
        options: ['Oui', 'Non'],
      },
      {
        kind: 'RATING',
        text: 'Votre satisfaction du délai de réparation (1 à 5) ?',
      },
    ],
  },
  {
    id: 'eng-sv-6',
    title: 'Accès aux services publics en ligne - 14e',
    description: 'Points d’accueil numérique et besoins des habitants du 14e.',
    district: '13214',
    opensAt: '2026-11-10T00:00:00Z',
    closesAt: '2027-01-10T00:00:00Z',
    questions: [
      {
        kind: 'SINGLE_CHOICE',
        text: 'Connaissez-vous l’espace France Services le plus proche ?',
        options: ['Oui', 'Non'],
      },
      {
        kind: 'MULTIPLE_CHOICE',
        text: 'Pour quelles démarches avez-vous besoin d’aide ?',
        options: ['CAF', 'Impôts', 'Santé', 'Emploi', 'Logement'],
      },
    ],
  },
  {
    id: 'eng-sv-7',
    title: 'Mobilité douce dans le 8e',
    description: 'Vélo, marche et stationnement gênant.',
    district: '13208',
    opensAt: '2026-05-01T00:00:00Z',
    closesAt: '2026-06-30T00:00:00Z',
    questions: [
      {
        kind: 'MULTIPLE_CHOICE',
        text: 'Comment vous déplacez-vous ?',
        options: ['À pied', 'Vélo', 'Bus / métro', 'Voiture'],
      },
      { kind: 'RATING', text: 'La sécurité des pistes cyclables (1 à 5) ?' },
    ],
  },
  {
    id: 'eng-sv-8',
    title: 'Budget participatif 2027',
    description: 'Priorités des habitants pour le budget participatif.',
    district: null,
    opensAt: '2026-11-16T00:00:00Z',
    closesAt: '2027-01-31T00:00:00Z',
    questions: [
      {
        kind: 'MULTIPLE_CHOICE',
        text: 'Vos priorités ?',
        options: [
          'Espaces verts',
          'Inclusion numérique',
          'Propreté',
          'Sport',
          'Culture',
        ],
      },
      { kind: 'RATING', text: 'Votre confiance dans la démarche (1 à 5) ?' },
    ],
  },
];

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
