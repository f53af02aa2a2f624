/**
 * Economy ingests businesses from the national registry (SIRENE): one
 * `Business` entity per establishment (SIRET), as `npm run import` makes
 * them from a StockEtablissement CSV or a partner sends them over NGSI. Only
 * establishments in Marseille (commune codes 13201 to 13216, the
 * arrondissements) are taken. A SIRET already stored is a duplicate: the
 * registry is re-imported as a whole and adds nothing the second time.
 */
import type { Collection } from 'mongodb';
import type {
  EntityHandler,
  IngestedRecord,
} from '../../../../lib/ingest/createIngestPipeline.js';
import { textAttribute as text } from '../../../../lib/ingest/ngsiEntity.js';
import { parseObservationTime } from '../../../../lib/ingest/observationTime.js';
import { qualityOf, type QualityFlag } from '../../../../lib/ingest/quality.js';
import type { BusinessDoc, EconomyModels } from '../models/index.js';
import { isWellFormedSiret, type NafSection, type SizeBand } from '../naf.js';

/** A validated business, ready to store. */
export interface BusinessRecord extends IngestedRecord {
  readonly doc: BusinessDoc;
}

/** NAF rev. 2 division (two digits) → section letter (INSEE). */
const SECTION_OF_DIVISION: readonly [number, number, NafSection][] = [
  [1, 3, 'A'],
  [5, 9, 'B'],
  [10, 33, 'C'],
  [35, 35, 'D'],
  [36, 39, 'E'],
  [41, 43, 'F'],
  [45, 47, 'G'],
  [49, 53, 'H'],
  [55, 56, 'I'],
  [58, 63, 'J'],
  [64, 66, 'K'],
  [68, 68, 'L'],
  [69, 75, 'M'],
  [77, 82, 'N'],
  [84, 84, 'O'],
  [85, 85, 'P'],
  [86, 88, 'Q'],
  [90, 93, 'R'],
  [94, 96, 'S'],
  [97, 98, 'T'],
  [99, 99, 'U'],
];

/** The NAF section of an activity code such as `62.01Z`, or null. */
export function nafSection(code: string): NafSection | null {
  const match = /^(\d{2})\.?\d{2}[A-Z]$/.exec(code.trim().toUpperCase());
  if (!match) return null;
  const division = Number(match[1]);
  return (
    SECTION_OF_DIVISION.find(
      ([lo, hi]) => division >= lo && division <= hi,
    )?.[2] ?? null
  );
}

/**
 * The size band of a SIRENE `trancheEffectifs` code: NN/00-03 (under 10
 * employees) MICRO, 11-12 (10-49) SMALL, 21-31 (50-249) MEDIUM, 32 and over LARGE.
 */
export function sizeBand(code: string | null): SizeBand {
  const n = code === null ? NaN : Number(code);
  if (!Number.isFinite(n) || n <= 3) return 'MICRO';
  if (n <= 12) return 'SMALL';
  if (n <= 31) return 'MEDIUM';
  return 'LARGE';
}

type Verdict = ReturnType<EntityHandler<BusinessRecord>['validate']>;
const reject = (
  reason: Extract<Verdict, { ok: false }>['reason'],
  detail: string,
): Verdict => ({ ok: false, reason, detail });

/** The Business handler over economy's models. */
export function businessHandler(
  models: EconomyModels,
  /** The reference point of each district (no boundaries yet: lib/subgraph-kit/cityGeography.ts). */
  districtCentre: (district: string) => { lat: number; lon: number } | null,
): EntityHandler<BusinessRecord> {
  const businesses = models.Business
    .collection as unknown as Collection<BusinessDoc>;
  return {
    types: ['Business'],
    validate(entity, context) {
      const flags: QualityFlag[] = [];
      const siret = text(entity, 'siret', 'registryNumber');
      if (siret === null || !isWellFormedSiret(siret))
        return reject(
          'ATTRIBUTE_TYPE',
          `siret ${JSON.stringify(siret)} is not a well-formed SIRET (14 digits, Luhn).`,
        );
      const district = text(entity, 'codeCommune', 'district');
      if (district === null || !/^132(0[1-9]|1[0-6])$/.test(district))
        return reject(
          'OUTSIDE_CITY',
          `Commune ${JSON.stringify(district)} is not an arrondissement of Marseille (13201 to 13216).`,
        );
      const naf = text(entity, 'activitePrincipale', 'nafCode');
      const sector = naf === null ? null : nafSection(naf);
      if (sector === null)
        return reject(
          'ATTRIBUTE_TYPE',
          `activitePrincipale ${JSON.stringify(naf)} is not a NAF rev. 2 code such as 62.01Z.`,
        );
      const created = text(entity, 'dateCreation', 'founded');
      const founded =
        created === null ? null : parseObservationTime(created)?.observedAt;
      if (!founded)
        return reject(
          'INVALID_TIME',
          'dateCreation must be a date (YYYY-MM-DD).',
        );
      if (
        founded.getTime() >
        context.receivedAt.getTime() + context.maxClockSkewMs
      )
        return reject('FUTURE_TIME', `${created} is in the future.`);
      const name =
        text(
          entity,
          'name',
          'enseigne',
          'denominationUsuelle',
          'denomination',
        ) ?? `Établissement ${siret}`;
      if (name === `Établissement ${siret}`) flags.push('INCOMPLETE');
      let location = districtCentre(district);
      const geometry = entity.attributes.get('location')?.value as
        { type?: unknown; coordinates?: unknown } | undefined;
      const coordinates = geometry?.coordinates;
      if (
        geometry?.type === 'Point' &&
        Array.isArray(coordinates) &&
        typeof coordinates[0] === 'number' &&
        typeof coordinates[1] === 'number'
      ) {
        const point = { lon: coordinates[0], lat: coordinates[1] };
        if (!context.geography.contains(point))
          return reject(
            'OUTSIDE_CITY',
            `The location [${point.lon}, ${point.lat}] is not in Marseille.`,
          );
        if (context.geography.districtAt(point) !== district)
          flags.push('LOCATION_DISTRICT_MISMATCH');
        location = point;
      }
      if (location === null)
        return reject('INVALID_LOCATION', 'No location for the district.');
      const id = `eco-biz-${district}-${siret}`;
      return {
        ok: true,
        record: {
          id,
          entityId: entity.id,
          quality: qualityOf(flags, 1),
          doc: {
            _id: id,
            registryNumber: siret,
            name: name.slice(0, 200),
            sector,
            sizeBand: sizeBand(text(entity, 'trancheEffectifs')),
            founded,
            district,
            location,
            registeredBy: null,
          },
        },
      };
    },

    async store(records) {
      // A SIRET is one business: stored once, whatever its id.
      const known = new Set(
        (
          await businesses
            .find(
              {
                registryNumber: {
                  $in: records.map((r) => r.doc.registryNumber),
                },
              },
              { projection: { registryNumber: 1 } },
            )
            .toArray()
        ).map((d) => d.registryNumber),
      );
      const outcomes = records.map(({ doc }): 'created' | 'duplicate' => {
        if (known.has(doc.registryNumber)) return 'duplicate';
        known.add(doc.registryNumber);
        return 'created';
      });
      const docs = records
        .filter((_, i) => outcomes[i] === 'created')
        .map((r) => r.doc);
      if (docs.length > 0) {
        try {
          await businesses.insertMany(docs, { ordered: false });
        } catch (error) {
          const writeErrors = (error as { writeErrors?: { code?: number }[] })
            .writeErrors;
          if (
            !Array.isArray(writeErrors) ||
            writeErrors.some((e) => e.code !== 11000)
          )
            throw error;
        }
      }
      return outcomes;
    },

    event: (record) => ({
      id: `Business:${record.id}`,
      department: 'economy',
      type: 'business.registered',
      entity: { type: 'Business', id: record.id },
      district: record.doc.district,
      occurredAt: record.doc.founded,
      payload: { sector: record.doc.sector, sizeBand: record.doc.sizeBand },
    }),
  };
}
