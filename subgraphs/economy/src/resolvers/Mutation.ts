/** Economy's mutations. */
import {
  MARSEILLE_BOUNDS,
  isDistrictCode,
} from '../../../../lib/subgraph-kit/districts.js';
import {
  BadUserInputError,
  ForbiddenError,
} from '../../../../lib/runtime/errors.js';
import type {
  MutationRegisterBusinessArgs,
  RegisterBusinessInput,
} from '../__generated__/resolvers-types.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import { publishRecordedChange } from '../../../../lib/subgraph-kit/pendingEvents.js';
import { canRegisterBusiness } from '../access.js';
import type { EconomyContext } from '../context.js';
import type { BusinessDoc } from '../models/index.js';
import { isWellFormedSiret } from '../naf.js';

const EARLIEST_FOUNDING = new Date('1800-01-01T00:00:00Z');
// How many times an id taken by a concurrent registration is retried.
const ID_ATTEMPTS = 5;

/** Checks the input before anything is written; every problem is listed in one error. */
function validateBusiness(input: RegisterBusinessInput, now: Date): void {
  const problems: string[] = [];
  if (!isWellFormedSiret(input.registryNumber.trim()))
    problems.push(
      'registryNumber must be a SIRET: 14 digits whose SIREN (first 9) and whole number pass the Luhn check',
    );
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200)
    problems.push('name must be 1 to 200 characters');
  if (input.founded.getTime() > now.getTime())
    problems.push('founded cannot be in the future');
  if (input.founded.getTime() < EARLIEST_FOUNDING.getTime())
    problems.push('founded cannot be before 1800');
  if (!isDistrictCode(input.district))
    problems.push('district must be an INSEE code from 13201 to 13216');
  const { lat, lon } = input.location;
  if (
    !(lat >= MARSEILLE_BOUNDS.minLat && lat <= MARSEILLE_BOUNDS.maxLat) ||
    !(lon >= MARSEILLE_BOUNDS.minLon && lon <= MARSEILLE_BOUNDS.maxLon)
  )
    problems.push(
      `location must be inside Marseille (lat ${MARSEILLE_BOUNDS.minLat} to ${MARSEILLE_BOUNDS.maxLat}, lon ${MARSEILLE_BOUNDS.minLon} to ${MARSEILLE_BOUNDS.maxLon})`,
    );
  if (problems.length > 0) {
    throw new BadUserInputError(`Invalid business: ${problems.join('; ')}.`, {
      argumentName: 'input',
      problems,
    });
  }
}

/** The duplicate-key index of a MongoDB E11000 error, or null for any other error. */
function duplicateKeyField(error: unknown): string | null {
  if (
    typeof error !== 'object' ||
    error === null ||
    (error as { code?: unknown }).code !== 11000
  )
    return null;
  const pattern = (error as { keyPattern?: Record<string, unknown> })
    .keyPattern;
  return Object.keys(pattern ?? {})[0] ?? '_id';
}

export const Mutation = {
  async registerBusiness(
    _: unknown,
    args: MutationRegisterBusinessArgs,
    ctx: EconomyContext,
  ) {
    const { input } = args;
    validateBusiness(input, new Date());
    if (!canRegisterBusiness(ctx.viewer))
      throw new ForbiddenError(
        'Registering a business requires a named economy staff member.',
      );
    let next = (await ctx.queries.businessCountInDistrict(input.district)) + 1;
    for (let attempt = 1; ; attempt++) {
      const doc: BusinessDoc = {
        _id: `eco-biz-${input.district}-${String(next).padStart(3, '0')}`,
        registryNumber: input.registryNumber.trim(),
        name: input.name.trim(),
        sector: input.sector,
        sizeBand: input.sizeBand,
        founded: input.founded,
        district: input.district,
        location: { lat: input.location.lat, lon: input.location.lon },
        registeredBy: ctx.viewer.subject,
      };
      const event: CityEvent = {
        id: `${doc._id}@registered`,
        department: 'economy',
        type: 'business.registered',
        entity: { type: 'Business', id: doc._id },
        district: doc.district,
        occurredAt: new Date(),
        payload: { sector: doc.sector },
      };
      try {
        // The business and its event in one insert (pendingEvents.ts).
        const created = await ctx.queries.insertBusiness(doc, [event]);
        ctx.logger.info(
          { businessId: doc._id, by: ctx.viewer.subject },
          'business registered',
        );
        await publishRecordedChange(ctx, {
          events: [event],
          settle: (ids) => ctx.queries.settleBusinessEvents(doc._id, ids),
        });
        return created;
      } catch (error) {
        const field = duplicateKeyField(error);
        if (field === 'registryNumber')
          throw new BadUserInputError(
            `A business with registry number ${doc.registryNumber} is already registered.`,
            {
              argumentName: 'input',
              problems: ['registryNumber is already registered'],
            },
          );
        // Another registration took this id meanwhile: try the next one.
        if (field === '_id' && attempt < ID_ATTEMPTS) {
          next += 1;
          continue;
        }
        throw error;
      }
    }
  },
};
