/** Economy's mutations. */
import { DocumentRuleError } from '../../../../lib/records/access/index.js';
import {
  MARSEILLE_BOUNDS,
  isDistrictCode,
} from '../../../../lib/subgraph-kit/districts.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import type {
  MutationCloseBusinessArgs,
  MutationRegisterBusinessArgs,
  MutationUpdateBusinessArgs,
  RegisterBusinessInput,
} from '../__generated__/resolvers-types.js';
import { NotFoundError } from '../../../../lib/runtime/errors.js';
import { runIdempotent } from '../../../../lib/subgraph-kit/idempotency.js';
import {
  applyTransition,
  workflowArgumentProblems,
} from '../../../../lib/subgraph-kit/workflowTransition.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import { publishRecordedChange } from '../../../../lib/subgraph-kit/pendingEvents.js';
import { canRegisterBusiness } from '../access.js';
import type { EconomyContext } from '../context.js';
import type { BusinessDoc } from '../models/index.js';
import { businessLifecycle } from '../models/Business.js';
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

const BUSINESS_ID = /^eco-biz-132(0[1-9]|1[0-6])-\d{3,}$/;

/** Problems shared by both business workflow mutations. */
function changeProblems(args: {
  id: string;
  expectedVersion?: number | null;
  idempotencyKey?: string | null;
}): string[] {
  const problems: string[] = [];
  if (!BUSINESS_ID.test(args.id))
    problems.push(
      `id must be a business id like eco-biz-13201-001, got "${args.id.slice(0, 40)}"`,
    );
  problems.push(...workflowArgumentProblems(args));
  return problems;
}

function refuseIfAny(what: string, problems: string[]): void {
  if (problems.length > 0)
    throw new BadUserInputError(`Invalid ${what}: ${problems.join('; ')}.`, {
      problems,
    });
}

/**
 * One change of a business: named staff, idempotent, checked against its
 * life cycle and version, written conditionally, announced.
 */
async function changeBusiness(
  ctx: EconomyContext,
  operation: 'updateBusiness' | 'closeBusiness',
  args: {
    id: string;
    expectedVersion?: number | null;
    idempotencyKey?: string | null;
  },
  input: Record<string, unknown>,
  to: 'ACTIVE' | 'CLOSED',
  set: (business: BusinessDoc) => Partial<BusinessDoc>,
): Promise<BusinessDoc> {
  if (!canRegisterBusiness(ctx.viewer))
    throw new DocumentRuleError({
      rule: 'canRegisterBusiness (a named economy staff member)',
      coordinate: `Mutation.${operation}`,
      message:
        'Changing the business registry requires a named economy staff member.',
    });
  return runIdempotent(
    {
      store: ctx.queries.idempotency,
      operation,
      subject: ctx.viewer.subject,
      key: args.idempotencyKey,
      input: { id: args.id, expectedVersion: args.expectedVersion, ...input },
      logger: ctx.logger,
    },
    async () => {
      const business = await ctx.queries.business(args.id);
      if (!business)
        throw new NotFoundError(`No business with id "${args.id}".`);
      const changes: Partial<BusinessDoc> = {
        ...set(business),
        updatedBy: ctx.viewer.subject,
      };
      const eventAt = (version: number): CityEvent => ({
        id: `${business._id}@v${version}`,
        department: 'economy',
        type: to === 'CLOSED' ? 'business.closed' : 'business.updated',
        entity: { type: 'Business', id: business._id },
        district: business.district,
        occurredAt: new Date(),
        payload: {
          status: to,
          sector: changes.sector ?? business.sector,
          version,
        },
      });
      let recorded: CityEvent[] = [];
      const updated = await applyTransition({
        machine: businessLifecycle,
        current: business,
        stateOf: (doc) => doc.status ?? 'ACTIVE',
        to,
        action: to === 'CLOSED' ? 'closed' : 'updated',
        expectedVersion: args.expectedVersion,
        // The change records its event on the business in the same write.
        write: (from, version) => {
          recorded = [eventAt(version + 1)];
          return ctx.queries.changeBusiness(
            business._id,
            from,
            version,
            changes,
            recorded,
          );
        },
        reread: () => ctx.queries.business(business._id),
      });
      ctx.logger.info(
        { businessId: business._id, by: ctx.viewer.subject, operation },
        `business ${to === 'CLOSED' ? 'closed' : 'updated'}`,
      );
      await publishRecordedChange(ctx, {
        events: recorded,
        settle: (ids) => ctx.queries.settleBusinessEvents(business._id, ids),
      });
      return updated;
    },
  );
}

export const Mutation = {
  updateBusiness(
    _: unknown,
    args: MutationUpdateBusinessArgs,
    ctx: EconomyContext,
  ) {
    const { input } = args;
    const problems = changeProblems(args);
    const name = input.name?.trim();
    if (name !== undefined && (name.length === 0 || name.length > 200))
      problems.push('input.name must be 1 to 200 characters');
    if (input.location) {
      const { lat, lon } = input.location;
      if (
        !(lat >= MARSEILLE_BOUNDS.minLat && lat <= MARSEILLE_BOUNDS.maxLat) ||
        !(lon >= MARSEILLE_BOUNDS.minLon && lon <= MARSEILLE_BOUNDS.maxLon)
      )
        problems.push('input.location must be inside Marseille');
    }
    const set: Partial<BusinessDoc> = {
      ...(name !== undefined ? { name } : {}),
      ...(input.sector ? { sector: input.sector } : {}),
      ...(input.sizeBand ? { sizeBand: input.sizeBand } : {}),
      ...(input.location
        ? { location: { lat: input.location.lat, lon: input.location.lon } }
        : {}),
    };
    if (Object.keys(set).length === 0 && input.name === undefined)
      problems.push(
        'input must change at least one of name, sector, sizeBand, location',
      );
    refuseIfAny('business update', problems);
    return changeBusiness(
      ctx,
      'updateBusiness',
      args,
      set,
      'ACTIVE',
      () => set,
    );
  },
  closeBusiness(
    _: unknown,
    args: MutationCloseBusinessArgs,
    ctx: EconomyContext,
  ) {
    const problems = changeProblems(args);
    if (args.closedOn.getTime() > Date.now())
      problems.push('closedOn cannot be in the future');
    refuseIfAny('business closure', problems);
    return changeBusiness(
      ctx,
      'closeBusiness',
      args,
      { closedOn: args.closedOn },
      'CLOSED',
      (business) => {
        // Known only once the business is read: a closure before its founding.
        if (args.closedOn.getTime() < business.founded.getTime())
          throw new BadUserInputError(
            `Invalid business closure: closedOn cannot be before the business was founded (${business.founded.toISOString().slice(0, 10)}).`,
            {
              argumentName: 'closedOn',
              problems: ['closedOn is before founded'],
            },
          );
        return { status: 'CLOSED', closedOn: args.closedOn };
      },
    );
  },
  async registerBusiness(
    _: unknown,
    args: MutationRegisterBusinessArgs,
    ctx: EconomyContext,
  ) {
    const { input } = args;
    validateBusiness(input, new Date());
    if (!canRegisterBusiness(ctx.viewer))
      // A document rule (who, not which scope): recorded as denied with its rule.
      throw new DocumentRuleError({
        rule: 'canRegisterBusiness (a named economy staff member)',
        coordinate: 'Mutation.registerBusiness',
        message:
          'Registering a business requires a named economy staff member.',
      });
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
