/**
 * What a citizen's public post is about, by a local, documented method
 * (docs/ingestion.md, "Social media"; no external service): French keyword
 * rules per service type of the city (serviceTypes.ts), and the district from
 * the post's geotag, else a postal code, an arrondissement or one of the 111
 * official quartiers named in the text.
 *
 * Text is compared without case, accents or punctuation. A rule is a list of
 * term groups: it matches when every group has a term in the text (e.g. a
 * traffic light *and* a fault). A term of five letters or more matches the
 * start of a word (`clignot` matches `clignotant`); a shorter one a whole word.
 */
import { readFileSync } from 'node:fs';
import { cityGeography } from '../../../../lib/subgraph-kit/cityGeography.js';
import { DISTRICTS } from '../../../../lib/subgraph-kit/districts.js';

/** Term groups per service code: all groups must match. */
export const TOPIC_RULES: Readonly<
  Record<string, readonly (readonly string[])[]>
> = {
  'feu-panne': [
    ['feu', 'feux', 'feu tricolore', 'feu rouge', 'signalisation'],
    [
      'panne',
      'eteint',
      'clignot',
      'bloque',
      'hs',
      'hors service',
      'marche plus',
      'fonctionne plus',
      'casse',
    ],
  ],
  'feu-reglage': [
    ['feu', 'feux'],
    ['attente', 'trop long', 'trop court', 'reglage', 'mal regle', 'pieton'],
  ],
  'eau-fuite': [
    ['fuite', 'inondation', 'inonde', 'geyser', 'canalisation'],
    ['eau', 'fuite', 'inond', 'geyser', 'canalisation'],
  ],
  'eau-compteur': [
    ['compteur', 'regard'],
    ['eau', 'casse', 'ouvert', 'illisible', 'endommag'],
  ],
  'voirie-chaussee': [
    ['nid de poule', 'nids de poule', 'chaussee', 'trottoir', 'pave', 'route'],
    [
      'nid de poule',
      'nids de poule',
      'trou',
      'degrad',
      'defonc',
      'affaiss',
      'descell',
      'abime',
      'fissur',
    ],
  ],
  'eclairage-panne': [
    ['lampadaire', 'eclairage', 'reverbere', 'lumiere'],
    ['panne', 'eteint', 'noir', 'casse', 'clignot', 'hs', 'allume en journee'],
  ],
  'proprete-depot': [
    [
      'depot sauvage',
      'dechet',
      'ordure',
      'poubelle',
      'gravats',
      'detritus',
      'decharge',
    ],
  ],
  'proprete-encombrants': [
    [
      'encombrant',
      'matelas',
      'canape',
      'frigo',
      'refrigerateur',
      'machine a laver',
      'electromenager',
    ],
  ],
  'proprete-tag': [['tag', 'tags', 'graffiti', 'graff']],
  'mobilier-degrade': [
    ['banc', 'abribus', 'potelet', 'barriere', 'mobilier urbain'],
    ['casse', 'degrad', 'arrache', 'vandalis', 'tordu', 'detruit', 'endommag'],
  ],
  'espaces-verts': [
    ['arbre', 'branche', 'parc', 'jardin', 'pelouse', 'haie', 'espace vert'],
    ['tombe', 'menac', 'entretien', 'entretenu', 'elag', 'dangereu', 'mort'],
  ],
  'stationnement-genant': [
    ['stationn', 'garee', 'gare sur', 'voiture', 'scooter', 'camion'],
    [
      'passage pieton',
      'piste cyclable',
      'trottoir',
      'double file',
      'arret de bus',
      'genant',
    ],
  ],
};

/** How a post's district was found. */
export type DistrictMethod =
  'geotag' | 'postal-code' | 'arrondissement' | 'quartier';

/** What the classifier says of a post. */
export interface PostClassification {
  /** Service codes whose rule matched, most terms first (at most 3). */
  readonly topics: readonly string[];
  /** The terms that matched, for staff to see why. */
  readonly matchedTerms: readonly string[];
  /** INSEE code, or null when the post names no place the city knows. */
  readonly district: string | null;
  readonly districtMethod: DistrictMethod | null;
}

/** Lower case, no accents, letters and digits separated by single spaces. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Where `term` (normalized) first occurs in ` <text> ` (normalized, padded), or -1. */
function find(padded: string, term: string): number {
  const at = padded.indexOf(` ${term}${term.length >= 5 ? '' : ' '}`);
  return at;
}

interface Quartier {
  name: string;
  arrondissementInseeCode: string;
  altSpellings?: string[];
}

/** Quartier names that are everyday words in a post ("la plage"): not read as places. */
const TOO_COMMON = new Set([
  'la plage',
  'la rose',
  'la pomme',
  'les iles',
  'le cabot',
]);

/** Places people name that are not official quartiers, with their arrondissement. */
const PLACES: readonly { term: string; district: string }[] = [
  { term: 'le panier', district: '13202' },
  { term: 'vieux port', district: '13201' },
  { term: 'canebiere', district: '13201' },
  { term: 'cours julien', district: '13206' },
  { term: 'la plaine', district: '13205' },
  { term: 'prado', district: '13208' },
  { term: 'velodrome', district: '13208' },
  { term: 'estaque', district: '13216' },
  { term: 'vallon des auffes', district: '13207' },
];

// The 111 quartiers (lib/subgraph-kit/data/marseille/quartiers.json), longest
// names first so "Saint-Barnabé" wins over a shorter name inside it.
const QUARTIERS = (
  JSON.parse(
    readFileSync(
      new URL(
        '../../../../lib/subgraph-kit/data/marseille/quartiers.json',
        import.meta.url,
      ),
      'utf8',
    ),
  ) as { quartiers: Quartier[] }
).quartiers
  .filter((q) => !TOO_COMMON.has(normalize(q.name)))
  .flatMap((q) =>
    [q.name, ...(q.altSpellings ?? [])].map((name) => ({
      term: normalize(name),
      district: q.arrondissementInseeCode,
    })),
  )
  .concat(PLACES)
  .filter((q) => q.term.length >= 4)
  .sort((a, b) => b.term.length - a.term.length);

const byNumber = new Map(DISTRICTS.map((d) => [d.number, d.code]));

/** The district a text names, by the first place it names, and how. */
function districtInText(
  padded: string,
): { district: string; method: DistrictMethod } | null {
  const found: { at: number; district: string; method: DistrictMethod }[] = [];
  for (const match of padded.matchAll(/ 130(0[1-9]|1[0-6]) /g)) {
    const code = byNumber.get(Number(match[1]));
    if (code)
      found.push({ at: match.index, district: code, method: 'postal-code' });
  }
  // "1er arrondissement", "13e arr", "Marseille 5e", "dans le 13eme".
  for (const match of padded.matchAll(
    / (?:(\d{1,2}) ?(?:er|e|eme|ieme) arr(?:ondissement)?|marseille (\d{1,2}) ?(?:er|e|eme|ieme)?|(?:dans le|du|au) (\d{1,2}) ?(?:er|e|eme|ieme)) /g,
  )) {
    const code = byNumber.get(Number(match[1] ?? match[2] ?? match[3]));
    if (code)
      found.push({ at: match.index, district: code, method: 'arrondissement' });
  }
  for (const q of QUARTIERS) {
    const at = padded.indexOf(` ${q.term} `);
    if (at >= 0) found.push({ at, district: q.district, method: 'quartier' });
  }
  found.sort((a, b) => a.at - b.at);
  const first = found[0];
  return first ? { district: first.district, method: first.method } : null;
}

/** Classifies one post: its text (with spoiler and hashtags) and its geotag. */
export function classifyPost(post: {
  readonly text: string;
  readonly tags?: readonly string[];
  readonly location?: { readonly lat: number; readonly lon: number } | null;
}): PostClassification {
  const padded = ` ${normalize([post.text, ...(post.tags ?? [])].join(' '))} `;
  const scored: { code: string; terms: string[] }[] = [];
  for (const [code, groups] of Object.entries(TOPIC_RULES)) {
    const terms: string[] = [];
    const every = groups.every((group) => {
      const hits = group.filter((term) => find(padded, term) >= 0);
      terms.push(...hits);
      return hits.length > 0;
    });
    if (every) scored.push({ code, terms: [...new Set(terms)] });
  }
  scored.sort((a, b) => b.terms.length - a.terms.length);
  const top = scored.slice(0, 3);

  let district: string | null = null;
  let districtMethod: DistrictMethod | null = null;
  const geo = post.location ? cityGeography.districtAt(post.location) : null;
  if (geo) {
    district = geo;
    districtMethod = 'geotag';
  } else {
    const named = districtInText(padded);
    if (named) {
      district = named.district;
      districtMethod = named.method;
    }
  }
  return {
    topics: top.map((t) => t.code),
    matchedTerms: [...new Set(top.flatMap((t) => t.terms))],
    district,
    districtMethod,
  };
}
