/** Engagement's mutations: a citizen files a report; a participant enrols in a workshop; staff erase a citizen's personal data on request. */
import { randomUUID } from 'node:crypto';
import { replayQuarantineMutation } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import {
  isDistrictCode,
  MARSEILLE_BOUNDS,
} from '../../../../lib/subgraph-kit/districts.js';
import { cityGeography } from '../../../../lib/subgraph-kit/cityGeography.js';
import {
  BadUserInputError,
  NotFoundError,
} from '../../../../lib/runtime/errors.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import { publishRecordedChange } from '../../../../lib/subgraph-kit/pendingEvents.js';
import { canEnrolInWorkshop } from '../access.js';
import type { EngagementContext } from '../context.js';
import {
  districtOfAssetId,
  TRAFFIC_LIGHT_ID,
  WATER_METER_ID,
} from '../foreignIds.js';
import type { CitizenReportDoc, EnrolmentDoc } from '../models/index.js';
import { findServiceType, SERVICE_CODES } from '../serviceTypes.js';
import type { EnrolmentReceiptValue } from './Enrolment.js';
import { workflowMutations } from './workflowMutations.js';

interface ReporterInput {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
}

interface CitizenReportInput {
  serviceCode: string;
  description: string;
  location: { lat: number; lon: number };
  district?: string | null;
  address?: string | null;
  trafficLightId?: string | null;
  waterMeterId?: string | null;
  reporter?: ReporterInput | null;
}

interface ParticipantInput {
  name: string;
  email: string;
  phone?: string | null;
  residentDistrict: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
// French numbers: 0X XX XX XX XX or +33 X XX XX XX XX, spaces, dots or dashes allowed.
const PHONE = /^(?:\+33[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}$/;

/** Problems with optional contact details, prefixed with `path`. */
function contactProblems(
  path: string,
  contact: {
    name?: string | null;
    email?: string | null;
    phone?: string | null;
  },
): string[] {
  const problems: string[] = [];
  const name = contact.name?.trim();
  if (name !== undefined && (name.length < 2 || name.length > 100))
    problems.push(`${path}.name must be 2 to 100 characters`);
  const email = contact.email?.trim();
  if (email !== undefined && (email.length > 254 || !EMAIL.test(email)))
    problems.push(`${path}.email is not a valid email address`);
  const phone = contact.phone?.trim();
  if (phone !== undefined && !PHONE.test(phone))
    problems.push(
      `${path}.phone must be a French number such as +33 6 39 98 12 34`,
    );
  return problems;
}

/** Problems with an asset reference: format, service type, district. */
function assetProblems(
  field: 'trafficLightId' | 'waterMeterId',
  id: string | null | undefined,
  input: LocatedReportInput,
): string[] {
  if (id === null || id === undefined) return [];
  const [pattern, type, example] =
    field === 'trafficLightId'
      ? ([TRAFFIC_LIGHT_ID, 'TrafficLight', 'mob-tl-13201-01'] as const)
      : ([WATER_METER_ID, 'WaterMeter', 'env-wm-13201-1'] as const);
  const district = districtOfAssetId(pattern, id);
  if (district === null)
    return [`${field} "${id}" is not a ${type} id (expected e.g. ${example})`];
  const problems: string[] = [];
  const service = findServiceType(input.serviceCode);
  if (service && service.assetType !== type)
    problems.push(
      `${field} is only for ${type} service types, not "${service.serviceCode}"`,
    );
  if (isDistrictCode(input.district) && district !== input.district)
    problems.push(
      `${field} "${id}" is in district ${district}, not ${input.district}`,
    );
  return problems;
}

/** A report with its district: given, or the one its location is in (Open311 clients send only lat/long). */
type LocatedReportInput = CitizenReportInput & { district: string };

/** Checks a report before anything is written; every problem is listed in one error. */
function validateReport(given: CitizenReportInput): LocatedReportInput {
  const problems: string[] = [];
  const derived =
    given.district ??
    (Number.isFinite(given.location.lat) && Number.isFinite(given.location.lon)
      ? cityGeography.districtAt(given.location)
      : null);
  const input: LocatedReportInput = { ...given, district: derived ?? '' };
  if (!findServiceType(input.serviceCode))
    problems.push(
      `serviceCode "${input.serviceCode}" is not one of ${SERVICE_CODES.join(', ')}`,
    );
  const description = input.description.trim();
  if (description.length < 10 || description.length > 2000)
    problems.push(
      `description must be 10 to 2000 characters (got ${description.length})`,
    );
  const { lat, lon } = input.location;
  if (
    !Number.isFinite(lat) ||
    !Number.isFinite(lon) ||
    lat < MARSEILLE_BOUNDS.minLat ||
    lat > MARSEILLE_BOUNDS.maxLat ||
    lon < MARSEILLE_BOUNDS.minLon ||
    lon > MARSEILLE_BOUNDS.maxLon
  )
    problems.push(
      `location (${lat}, ${lon}) is outside Marseille (lat ${MARSEILLE_BOUNDS.minLat} to ${MARSEILLE_BOUNDS.maxLat}, lon ${MARSEILLE_BOUNDS.minLon} to ${MARSEILLE_BOUNDS.maxLon})`,
    );
  if (derived === null)
    problems.push(
      'district is missing and cannot be told from the location: give the INSEE code (13201 to 13216)',
    );
  else if (!isDistrictCode(input.district))
    problems.push(
      `district "${input.district}" is not an INSEE code from 13201 to 13216`,
    );
  if ((input.address?.trim().length ?? 0) > 200)
    problems.push('address must be at most 200 characters');
  problems.push(
    ...assetProblems('trafficLightId', input.trafficLightId, input),
    ...assetProblems('waterMeterId', input.waterMeterId, input),
  );
  if (input.reporter)
    problems.push(...contactProblems('reporter', input.reporter));
  if (problems.length > 0) {
    throw new BadUserInputError(
      `Invalid citizen report: ${problems.join('; ')}.`,
      { argumentName: 'input', problems },
    );
  }
  return input;
}

/** Checks a participant before anything is written. */
function validateParticipant(workshopId: string, p: ParticipantInput): void {
  const problems: string[] = [];
  if (!/^eng-ws-[0-9a-z-]+$/.test(workshopId))
    problems.push(
      `workshopId "${workshopId}" is not a workshop id (e.g. eng-ws-001)`,
    );
  if (p.name.trim().length === 0)
    problems.push('participant.name must be 2 to 100 characters');
  if (p.email.trim().length === 0)
    problems.push('participant.email is not a valid email address');
  problems.push(
    ...contactProblems('participant', {
      ...(p.name.trim().length > 0 ? { name: p.name } : {}),
      ...(p.email.trim().length > 0 ? { email: p.email } : {}),
      phone: p.phone ?? null,
    }),
  );
  if (!isDistrictCode(p.residentDistrict))
    problems.push(
      `participant.residentDistrict "${p.residentDistrict}" is not an INSEE code from 13201 to 13216`,
    );
  if (problems.length > 0) {
    throw new BadUserInputError(`Invalid enrolment: ${problems.join('; ')}.`, {
      argumentName: 'participant',
      problems,
    });
  }
}

function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 11000
  );
}

const orNull = (value: string | null | undefined) => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

export const Mutation = {
  ...workflowMutations,
  replayEngagementQuarantine: (
    _: unknown,
    args: { ids: readonly string[] },
    ctx: EngagementContext,
  ) => replayQuarantineMutation(args.ids, ctx.queries),
  /** GDPR art. 17: the personal data of one account's records, erased (schema.graphql). */
  async erasePersonalData(
    _: unknown,
    args: { subject: string },
    ctx: EngagementContext,
  ) {
    const subject = args.subject.trim();
    if (subject === '' || subject.length > 200)
      throw new BadUserInputError(
        'subject must be an account id (the `sub` of its tokens), 1 to 200 characters.',
        { argumentName: 'subject' },
      );
    if (!ctx.retention)
      throw new Error('engagement runs without its retention job');
    const report = await ctx.retention.eraseSubject(subject, ctx.now());
    // The answers kept for the account's own retried mutations (an answered
    // survey, a report it closed) may repeat its data: they go too.
    const retries = await ctx.queries.forgetRetriesOf(subject);
    return {
      ...report,
      fields: [...report.fields],
      records: [
        ...report.records,
        { type: 'IdempotencyRecord', count: retries },
      ],
    };
  },
  async submitCitizenReport(
    _: unknown,
    args: { input: CitizenReportInput },
    ctx: EngagementContext,
  ): Promise<CitizenReportDoc> {
    const input = validateReport(args.input);
    const service = findServiceType(input.serviceCode);
    if (!service) throw new Error('unreachable: service validated');
    const now = ctx.now();
    const doc: CitizenReportDoc = {
      _id: `eng-cr-${randomUUID()}`,
      serviceCode: service.serviceCode,
      serviceName: service.serviceName,
      description: input.description.trim(),
      status: 'open',
      statusNotes: null,
      agencyResponsible: service.agencyResponsible,
      requestedDatetime: now,
      updatedDatetime: now,
      address: orNull(input.address),
      district: input.district,
      location: { lat: input.location.lat, lon: input.location.lon },
      trafficLightId: input.trafficLightId ?? null,
      waterMeterId: input.waterMeterId ?? null,
      reporterName: orNull(input.reporter?.name),
      reporterEmail: orNull(input.reporter?.email)?.toLowerCase() ?? null,
      reporterPhone: orNull(input.reporter?.phone),
      submittedBy: ctx.viewer.subject,
    };
    const event: CityEvent = {
      id: `${doc._id}@submitted`,
      department: 'engagement',
      type: 'citizenReport.updated',
      entity: { type: 'CitizenReport', id: doc._id },
      district: doc.district,
      occurredAt: now,
      payload: { status: doc.status, serviceCode: doc.serviceCode },
    };
    const stored = await ctx.queries.insertCitizenReport(doc, [event]);
    // Never log the reporter's contact details.
    ctx.logger.info(
      {
        reportId: doc._id,
        serviceCode: doc.serviceCode,
        district: doc.district,
      },
      'citizen report submitted',
    );
    await publishRecordedChange(ctx, {
      events: [event],
      settle: (ids) => ctx.queries.settleCitizenReportEvents(doc._id, ids),
    });
    return stored;
  },

  async enrol(
    _: unknown,
    args: { workshopId: string; participant: ParticipantInput },
    ctx: EngagementContext,
  ): Promise<EnrolmentReceiptValue> {
    const { workshopId, participant } = args;
    validateParticipant(workshopId, participant);
    const workshop = await ctx.queries.workshop(workshopId);
    if (!workshop)
      throw new NotFoundError(`No workshop with id "${workshopId}".`);
    const now = ctx.now();
    const refusal = canEnrolInWorkshop(ctx.viewer, workshop, now);
    if (refusal)
      throw new BadUserInputError(
        `Cannot enrol in ${workshopId}: ${refusal}.`,
        {
          argumentName: 'workshopId',
        },
      );
    const enrolment: EnrolmentDoc = {
      _id: `eng-en-${randomUUID()}`,
      workshopId,
      district: participant.residentDistrict,
      enrolledAt: now,
      participantName: participant.name.trim(),
      participantEmail: participant.email.trim().toLowerCase(),
      participantPhone: orNull(participant.phone),
      enrolledBy: ctx.viewer.subject,
    };
    // A full workshop is refused for every address alike, enrolled or not,
    // so the answer says nothing about who is enrolled.
    if (workshop.enrolledCount >= workshop.capacity)
      throw new BadUserInputError(
        `Cannot enrol in ${workshopId}: the workshop is full.`,
        { argumentName: 'workshopId' },
      );
    // The unique index (workshopId, participantEmail) refuses a duplicate,
    // even between two concurrent requests.
    try {
      await ctx.queries.insertEnrolment(enrolment);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Already enrolled: the same answer as a new enrolment (a receipt,
      // no address named back), so enrolling is no membership oracle
      // (issue 9, finding 4). Nothing changes.
      const existingId = await ctx.queries.enrolmentIdOf(
        workshopId,
        enrolment.participantEmail,
      );
      ctx.logger.info(
        { workshopId, enrolmentId: existingId },
        'enrolment repeated: answered as enrolled, nothing changed',
      );
      return {
        enrolmentId: existingId ?? enrolment._id,
        workshopId,
        enrolledAt: now,
      };
    }
    // About the workshop's seats, never the participant.
    const event: CityEvent = {
      id: `${enrolment._id}@enrolled`,
      department: 'engagement',
      type: 'workshop.enrolmentChanged',
      entity: { type: 'Workshop', id: workshopId },
      district: workshop.district,
      occurredAt: now,
      payload: {},
    };
    // Take a seat only if one is left (atomic): capacity holds under
    // concurrency. The seat records its event in the same write.
    if (
      !(await ctx.queries.takeWorkshopSeat(workshopId, workshop.capacity, [
        event,
      ]))
    ) {
      await ctx.queries.deleteEnrolment(enrolment._id);
      throw new BadUserInputError(
        `Cannot enrol in ${workshopId}: the workshop is full.`,
        { argumentName: 'workshopId' },
      );
    }
    ctx.logger.info({ workshopId, enrolmentId: enrolment._id }, 'enrolled');
    await publishRecordedChange(ctx, {
      events: [event],
      settle: (ids) => ctx.queries.settleWorkshopEvents(workshopId, ids),
    });
    return {
      enrolmentId: enrolment._id,
      workshopId,
      enrolledAt: now,
    };
  },
};
