/**
 * Engagement's Open311 service list (GeoReport v2 `GET /services`): the
 * service types a citizen report may use. Codes and groups follow the
 * facets of the Métropole's "signalements" open dataset (famille, type);
 * the list itself is ours, see lib/subgraph-kit/data/marseille/open311_georeport_v2.json
 * for the Open311 vocabulary.
 */

/** The kind of city asset a report may point at (owned by another department). */
export type ReportAssetType = 'TrafficLight' | 'WaterMeter';

/** One Open311 service type. */
export interface ServiceTypeRecord {
  /** Open311 `service_code`. */
  readonly serviceCode: string;
  /** Open311 `service_name`. */
  readonly serviceName: string;
  readonly description: string;
  /** Open311 `group`. */
  readonly group: string;
  readonly keywords: readonly string[];
  /** Which asset id a report of this type may carry; null for none. */
  readonly assetType: ReportAssetType | null;
  /** Open311 `agency_responsible`. */
  readonly agencyResponsible: string;
}

/** The service types, in display order. */
export const SERVICE_TYPES: readonly ServiceTypeRecord[] = Object.freeze([
  {
    serviceCode: 'feu-panne',
    serviceName: 'Feu tricolore en panne',
    description: 'Feu éteint, bloqué au rouge ou clignotant en permanence.',
    group: 'Circulation',
    keywords: ['feu', 'signalisation', 'carrefour'],
    assetType: 'TrafficLight',
    agencyResponsible: 'Direction de la Mobilité',
  },
  {
    serviceCode: 'feu-reglage',
    serviceName: 'Feu tricolore mal réglé',
    description:
      'Temps de vert trop court, attente excessive, piétons oubliés.',
    group: 'Circulation',
    keywords: ['feu', 'attente', 'piétons'],
    assetType: 'TrafficLight',
    agencyResponsible: 'Direction de la Mobilité',
  },
  {
    serviceCode: 'eau-fuite',
    serviceName: "Fuite d'eau sur la voie publique",
    description:
      "Eau qui s'écoule de la chaussée, d'un regard ou d'un compteur.",
    group: 'Eau',
    keywords: ['fuite', 'eau', 'inondation'],
    assetType: 'WaterMeter',
    agencyResponsible: "Direction de l'Environnement - réseau d'eau",
  },
  {
    serviceCode: 'eau-compteur',
    serviceName: "Compteur d'eau endommagé",
    description: 'Compteur ou regard de compteur cassé, ouvert ou illisible.',
    group: 'Eau',
    keywords: ['compteur', 'regard', 'eau'],
    assetType: 'WaterMeter',
    agencyResponsible: "Direction de l'Environnement - réseau d'eau",
  },
  {
    serviceCode: 'voirie-chaussee',
    serviceName: 'Chaussée ou trottoir dégradé',
    description: 'Nid-de-poule, affaissement, pavés descellés.',
    group: 'Voirie',
    keywords: ['nid-de-poule', 'trottoir', 'chaussée'],
    assetType: null,
    agencyResponsible: 'Métropole Aix-Marseille-Provence - Voirie',
  },
  {
    serviceCode: 'eclairage-panne',
    serviceName: 'Éclairage public en panne',
    description: 'Lampadaire éteint, allumé en journée ou endommagé.',
    group: 'Éclairage',
    keywords: ['lampadaire', 'éclairage', 'nuit'],
    assetType: null,
    agencyResponsible: 'Ville de Marseille - Éclairage public',
  },
  {
    serviceCode: 'proprete-depot',
    serviceName: 'Dépôt sauvage',
    description: 'Déchets ou gravats abandonnés sur la voie publique.',
    group: 'Propreté',
    keywords: ['déchets', 'dépôt', 'gravats'],
    assetType: null,
    agencyResponsible: 'Métropole Aix-Marseille-Provence - Propreté',
  },
  {
    serviceCode: 'proprete-encombrants',
    serviceName: 'Encombrants sur le trottoir',
    description: 'Meubles, électroménager ou matelas laissés sur le trottoir.',
    group: 'Propreté',
    keywords: ['encombrants', 'meubles', 'trottoir'],
    assetType: null,
    agencyResponsible: 'Métropole Aix-Marseille-Provence - Propreté',
  },
  {
    serviceCode: 'proprete-tag',
    serviceName: 'Tag ou graffiti',
    description: 'Tag sur un bâtiment public ou du mobilier urbain.',
    group: 'Propreté',
    keywords: ['tag', 'graffiti'],
    assetType: null,
    agencyResponsible: 'Ville de Marseille - Propreté urbaine',
  },
  {
    serviceCode: 'mobilier-degrade',
    serviceName: 'Mobilier urbain dégradé',
    description: 'Banc, potelet, barrière ou abribus cassé.',
    group: 'Voirie',
    keywords: ['banc', 'abribus', 'potelet'],
    assetType: null,
    agencyResponsible: 'Métropole Aix-Marseille-Provence - Voirie',
  },
  {
    serviceCode: 'espaces-verts',
    serviceName: 'Arbre ou espace vert à entretenir',
    description: 'Branche menaçante, arbre tombé, pelouse non entretenue.',
    group: 'Espaces verts',
    keywords: ['arbre', 'parc', 'jardin'],
    assetType: null,
    agencyResponsible: 'Ville de Marseille - Parcs et jardins',
  },
  {
    serviceCode: 'stationnement-genant',
    serviceName: 'Stationnement gênant',
    description:
      'Véhicule sur un passage piéton, une piste cyclable ou un arrêt.',
    group: 'Circulation',
    keywords: ['stationnement', 'voiture', 'piste cyclable'],
    assetType: null,
    agencyResponsible: 'Police municipale',
  },
]);

const byCode = new Map(SERVICE_TYPES.map((s) => [s.serviceCode, s]));

/** The service type with this code, or undefined. */
export function findServiceType(code: string): ServiceTypeRecord | undefined {
  return byCode.get(code);
}

/** Every service code, for model validation. */
export const SERVICE_CODES: readonly string[] = SERVICE_TYPES.map(
  (s) => s.serviceCode,
);
