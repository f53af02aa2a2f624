/**
 * Engagement's workflow mutations (docs/workflows.md): citizen reports
 * updated and closed in Open311 statuses, workshops created and cancelled,
 * attendance recorded, surveys answered. Part of `Mutation` (resolvers/Mutation.ts
 * spreads them in); a file of their own because each carries its validation,
 * its life cycle and its event, and Mutation.ts already holds filing and
 * enrolling.
 */
import { DocumentRuleError } from '../../../../lib/records/access/index.js';
import { createHash, randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
} from '../../../../lib/runtime/errors.js';
import { cityGeography } from '../../../../lib/subgraph-kit/cityGeography.js';
import {
  isDistrictCode,
  MARSEILLE_BOUNDS,
} from '../../../../lib/subgraph-kit/districts.js';
import { runIdempotent } from '../../../../lib/subgraph-kit/idempotency.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import { publishRecordedChange } from '../../../../lib/subgraph-kit/pendingEvents.js';
import { INITIAL_VERSION } from '../../../../lib/subgraph-kit/versioning.js';
import {
  applyTransition,
  noteProblem,
  workflowArgumentProblems,
  type WorkflowArgs,
} from '../../../../lib/subgraph-kit/workflowTransition.js';
import type {
  CitizenReportStatus,
  MutationAnswerSurveyArgs,
  MutationCancelWorkshopArgs,
  MutationCreateWorkshopArgs,
  MutationRecordAttendanceArgs,
  MutationUpdateCitizenReportArgs,
} from '../__generated__/resolvers-types.js';
import { canUpdateCitizenReport, isEngagementStaff } from '../access.js';
import type { EngagementContext } from '../context.js';
import { INNOVATION_HUB_ID, STARTUP_ID } from '../foreignIds.js';
import { citizenReportLifecycle } from '../models/CitizenReport.js';
import { attendanceLifecycle } from '../models/Enrolment.js';
import type {
  CitizenReportDoc,
  EnrolmentDoc,
  SurveyDoc,
  WorkshopDoc,
} from '../models/index.js';
import { workshopLifecycle, workshopState } from '../models/Workshop.js';
import { surveyStatus } from './Survey.js';

/** What `answerSurvey` returns: the survey's aggregates after the answer, never the answer. */
export interface SurveyAnswerReceiptValue {
  survey: SurveyDoc;
  answeredAt: Date;
}

// Filed in the graph: eng-cr-…; ingested: the partner's own service_request_id.
const REPORT_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const WORKSHOP_ID = /^eng-ws-[0-9a-z-]{1,60}$/;
const ENROLMENT_ID = /^eng-en-[0-9a-z-]{1,80}$/;
const SURVEY_ID = /^eng-sv-[0-9a-z-]{1,40}$/;
const PROGRAM_ID = /^eng-tp-[0-9a-z-]{1,40}$/;
const MAX_WORKSHOP_HOURS = 12;

/** Throws one BAD_USER_INPUT listing `problems`, if any. */
function refuseIfAny(what: string, problems: string[]): void {
  if (problems.length > 0)
    throw new BadUserInputError(`Invalid ${what}: ${problems.join('; ')}.`, {
      problems,
    });
}

/** Problems with an id argument and the workflow arguments. */
function idProblems(
  name: string,
  id: string,
  pattern: RegExp,
  example: string,
  args: WorkflowArgs,
): string[] {
  return [
    ...(pattern.test(id)
      ? []
      : [`${name} must be an id like ${example}, got "${id.slice(0, 40)}"`]),
    ...workflowArgumentProblems(args),
  ];
}

const STORED: Record<CitizenReportStatus, CitizenReportDoc['status']> = {
  OPEN: 'open',
  CLOSED: 'closed',
};
const stateOfReport = (doc: CitizenReportDoc): CitizenReportStatus =>
  doc.status === 'closed' ? 'CLOSED' : 'OPEN';

/** A citizen's answer key for a survey: pseudonymous, the same on every retry. */
function respondentKey(surveyId: string, subject: string): string {
  return createHash('sha256')
    .update(`survey-respondent\n${surveyId}\n${subject}`)
    .digest('hex');
}

export const workflowMutations = {
  updateCitizenReport(
    _: unknown,
    args: MutationUpdateCitizenReportArgs,
    ctx: EngagementContext,
  ): Promise<CitizenReportDoc> {
    const problems = idProblems('id', args.id, REPORT_ID, 'eng-cr-00042', args);
    const notes = args.statusNotes?.trim();
    if (args.statusNotes !== null && args.statusNotes !== undefined) {
      const problem = noteProblem('statusNotes', args.statusNotes, 1, 1000);
      if (problem) problems.push(problem);
    }
    if (!args.status && notes === undefined)
      problems.push('give a status, statusNotes or both');
    refuseIfAny('citizen report update', problems);
    return runIdempotent(
      {
        store: ctx.queries.idempotency,
        operation: 'updateCitizenReport',
        subject: ctx.viewer.subject,
        key: args.idempotencyKey,
        input: {
          id: args.id,
          status: args.status ?? null,
          statusNotes: notes ?? null,
          expectedVersion: args.expectedVersion ?? null,
        },
        logger: ctx.logger,
      },
      async () => {
        const report = await ctx.queries.citizenReport(args.id);
        if (!report)
          throw new NotFoundError(`No citizen report with id "${args.id}".`);
        const from = stateOfReport(report);
        const to = args.status ?? from;
        const refusal = canUpdateCitizenReport(ctx.viewer, report, {
          to: STORED[to],
        });
        // A rule of the report itself (who filed it): the audit event
        // records this denial with its rule.
        if (refusal)
          throw new DocumentRuleError({
            rule: `canUpdateCitizenReport (${refusal})`,
            coordinate: 'Mutation.updateCitizenReport',
            message: `Cannot update: ${refusal}.`,
          });
        const now = ctx.now();
        let recorded: CityEvent[] = [];
        const updated = await applyTransition({
          machine: citizenReportLifecycle,
          current: report,
          stateOf: stateOfReport,
          to,
          action:
            to === 'CLOSED'
              ? 'closed'
              : from === 'CLOSED'
                ? 'reopened'
                : 'annotated',
          expectedVersion: args.expectedVersion,
          // The change records its event on the report in the same write.
          write: (state, version) => {
            recorded = [
              {
                id: `${report._id}@v${version + 1}`,
                department: 'engagement',
                type: 'citizenReport.updated',
                entity: { type: 'CitizenReport', id: report._id },
                district: report.district,
                occurredAt: now,
                payload: { status: STORED[to], version: version + 1 },
              },
            ];
            return ctx.queries.changeCitizenReport(
              report._id,
              STORED[state],
              version,
              {
                status: STORED[to],
                statusNotes: notes ?? report.statusNotes,
                updatedDatetime: now,
              },
              recorded,
            );
          },
          reread: () => ctx.queries.citizenReport(report._id),
        });
        ctx.logger.info(
          { reportId: report._id, status: updated.status },
          'citizen report updated',
        );
        await publishRecordedChange(ctx, {
          events: recorded,
          settle: (ids) =>
            ctx.queries.settleCitizenReportEvents(report._id, ids),
        });
        return updated;
      },
    );
  },

  createWorkshop(
    _: unknown,
    args: MutationCreateWorkshopArgs,
    ctx: EngagementContext,
  ): Promise<WorkshopDoc> {
    const { input } = args;
    const now = ctx.now();
    const problems = workflowArgumentProblems(args);
    for (const [name, text, max] of [
      ['title', input.title, 200],
      ['description', input.description, 2000],
      ['venue', input.venue, 200],
    ] as const) {
      const problem = noteProblem(`input.${name}`, text, 1, max);
      if (problem) problems.push(problem);
    }
    const { lat, lon } = input.location;
    const inCity =
      lat >= MARSEILLE_BOUNDS.minLat &&
      lat <= MARSEILLE_BOUNDS.maxLat &&
      lon >= MARSEILLE_BOUNDS.minLon &&
      lon <= MARSEILLE_BOUNDS.maxLon;
    if (!inCity) problems.push('input.location must be inside Marseille');
    const district =
      input.district ??
      (inCity ? cityGeography.districtAt(input.location) : null);
    if (input.district && !isDistrictCode(input.district))
      problems.push('input.district must be an INSEE code from 13201 to 13216');
    else if (inCity && !district)
      problems.push(
        'input.district is missing and cannot be told from the location',
      );
    if (input.startsAt.getTime() <= now.getTime())
      problems.push('input.startsAt must be in the future');
    const hours =
      (input.endsAt.getTime() - input.startsAt.getTime()) / 3_600_000;
    if (!(hours > 0 && hours <= MAX_WORKSHOP_HOURS))
      problems.push(
        `input.endsAt must be after startsAt, within ${MAX_WORKSHOP_HOURS} hours`,
      );
    if (
      !Number.isInteger(input.capacity) ||
      input.capacity < 1 ||
      input.capacity > 500
    )
      problems.push('input.capacity must be an integer from 1 to 500');
    if (input.programId && !PROGRAM_ID.test(input.programId))
      problems.push('input.programId must be a programme id like eng-tp-1');
    if (input.hostStartupId && !STARTUP_ID.test(input.hostStartupId))
      problems.push('input.hostStartupId must be a startup id like eco-su-07');
    if (input.hostHubId && !INNOVATION_HUB_ID.test(input.hostHubId))
      problems.push(
        'input.hostHubId must be an innovation hub id like eco-hub-2',
      );
    refuseIfAny('workshop', problems);
    if (!isEngagementStaff(ctx.viewer))
      throw new DocumentRuleError({
        rule: 'isEngagementStaff (a named engagement staff member)',
        coordinate: 'Mutation.createWorkshop',
        message:
          'Only a named engagement staff member may schedule a workshop.',
      });
    const { idempotencyKey, ...rest } = args;
    return runIdempotent(
      {
        store: ctx.queries.idempotency,
        operation: 'createWorkshop',
        subject: ctx.viewer.subject,
        key: idempotencyKey,
        input: rest,
        logger: ctx.logger,
      },
      async () => {
        if (
          input.programId &&
          !(await ctx.queries.trainingProgram(input.programId))
        )
          throw new BadUserInputError(
            `Invalid workshop: input.programId "${input.programId}" names no training programme.`,
            { problems: ['input.programId names no training programme'] },
          );
        const doc: WorkshopDoc = {
          _id: `eng-ws-${randomUUID()}`,
          title: input.title.trim(),
          description: input.description.trim(),
          topic: input.topic,
          audience: input.audience,
          venue: input.venue.trim(),
          location: { lat, lon },
          district: district ?? '',
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          capacity: input.capacity,
          enrolledCount: 0,
          programId: input.programId ?? null,
          hostStartupId: input.hostStartupId ?? null,
          hostHubId: input.hostHubId ?? null,
          status: 'SCHEDULED',
          cancelledAt: null,
          cancellationReason: null,
          createdBy: ctx.viewer.subject,
          version: INITIAL_VERSION,
        };
        const events: CityEvent[] = [
          {
            id: `${doc._id}@created`,
            department: 'engagement',
            type: 'workshop.created',
            entity: { type: 'Workshop', id: doc._id },
            district: doc.district,
            occurredAt: now,
            payload: { status: 'SCHEDULED', version: INITIAL_VERSION },
          },
        ];
        // The workshop and its event in one insert.
        const created = await ctx.queries.insertWorkshop(doc, events);
        ctx.logger.info({ workshopId: doc._id }, 'workshop created');
        await publishRecordedChange(ctx, {
          events,
          settle: (ids) => ctx.queries.settleWorkshopEvents(doc._id, ids),
        });
        return created;
      },
    );
  },

  cancelWorkshop(
    _: unknown,
    args: MutationCancelWorkshopArgs,
    ctx: EngagementContext,
  ): Promise<WorkshopDoc> {
    const problems = idProblems('id', args.id, WORKSHOP_ID, 'eng-ws-001', args);
    const reasonProblem = noteProblem('reason', args.reason, 1, 500);
    if (reasonProblem) problems.push(reasonProblem);
    refuseIfAny('workshop cancellation', problems);
    if (!isEngagementStaff(ctx.viewer))
      throw new DocumentRuleError({
        rule: 'isEngagementStaff (a named engagement staff member)',
        coordinate: 'Mutation.cancelWorkshop',
        message: 'Only a named engagement staff member may cancel a workshop.',
      });
    const reason = args.reason.trim();
    return runIdempotent(
      {
        store: ctx.queries.idempotency,
        operation: 'cancelWorkshop',
        subject: ctx.viewer.subject,
        key: args.idempotencyKey,
        input: {
          id: args.id,
          reason,
          expectedVersion: args.expectedVersion ?? null,
        },
        logger: ctx.logger,
      },
      async () => {
        const workshop = await ctx.queries.workshop(args.id);
        if (!workshop)
          throw new NotFoundError(`No workshop with id "${args.id}".`);
        const now = ctx.now();
        let recorded: CityEvent[] = [];
        const updated = await applyTransition({
          machine: workshopLifecycle,
          current: workshop,
          stateOf: (doc) => workshopState(doc, now),
          to: 'CANCELLED',
          action: 'cancelled',
          expectedVersion: args.expectedVersion,
          write: (_from, version) => {
            recorded = [
              {
                id: `${workshop._id}@cancelled`,
                department: 'engagement',
                type: 'workshop.cancelled',
                entity: { type: 'Workshop', id: workshop._id },
                district: workshop.district,
                occurredAt: now,
                payload: { status: 'CANCELLED', version: version + 1 },
              },
            ];
            return ctx.queries.cancelScheduledWorkshop(
              workshop._id,
              version,
              now,
              { cancelledAt: now, cancellationReason: reason },
              recorded,
            );
          },
          reread: () => ctx.queries.workshop(workshop._id),
        });
        ctx.logger.info({ workshopId: workshop._id }, 'workshop cancelled');
        await publishRecordedChange(ctx, {
          events: recorded,
          settle: (ids) => ctx.queries.settleWorkshopEvents(workshop._id, ids),
        });
        return updated;
      },
    );
  },

  recordAttendance(
    _: unknown,
    args: MutationRecordAttendanceArgs,
    ctx: EngagementContext,
  ): Promise<EnrolmentDoc> {
    refuseIfAny(
      'attendance',
      idProblems(
        'enrolmentId',
        args.enrolmentId,
        ENROLMENT_ID,
        'eng-en-eng-ws-001-007',
        args,
      ),
    );
    if (!isEngagementStaff(ctx.viewer))
      throw new DocumentRuleError({
        rule: 'isEngagementStaff (a named engagement staff member)',
        coordinate: 'Mutation.recordAttendance',
        message: 'Only a named engagement staff member may record attendance.',
      });
    const to = args.attended ? 'ATTENDED' : 'ABSENT';
    return runIdempotent(
      {
        store: ctx.queries.idempotency,
        operation: 'recordAttendance',
        subject: ctx.viewer.subject,
        key: args.idempotencyKey,
        input: {
          enrolmentId: args.enrolmentId,
          attended: args.attended,
          expectedVersion: args.expectedVersion ?? null,
        },
        logger: ctx.logger,
      },
      async () => {
        const enrolment = await ctx.queries.enrolment(args.enrolmentId);
        if (!enrolment)
          throw new NotFoundError(
            `No enrolment with id "${args.enrolmentId}".`,
          );
        const workshop = await ctx.queries.workshop(enrolment.workshopId);
        const now = ctx.now();
        const held = workshop ? workshopState(workshop, now) : 'CANCELLED';
        // Attendance belongs to a workshop that took place: the workshop's
        // state refuses it, not the enrolment's.
        if (held !== 'HELD')
          throw new ConflictError(
            `Workshop ${enrolment.workshopId} is ${held}: attendance is recorded once it has started (HELD), never for a cancelled one.`,
            'INVALID_TRANSITION',
            { currentState: held },
          );
        let recorded: CityEvent[] = [];
        const updated = await applyTransition({
          machine: attendanceLifecycle,
          current: enrolment,
          stateOf: (doc) => doc.attendance ?? 'PENDING',
          to,
          action: `recorded ${to}`,
          expectedVersion: args.expectedVersion,
          write: (from, version) => {
            // About the workshop, never the participant (like `enrol`).
            recorded = [
              {
                id: `${enrolment._id}@v${version + 1}`,
                department: 'engagement',
                type: 'workshop.attendanceRecorded',
                entity: { type: 'Workshop', id: enrolment.workshopId },
                ...(workshop ? { district: workshop.district } : {}),
                occurredAt: now,
                payload: {},
              },
            ];
            return ctx.queries.recordAttendance(
              enrolment._id,
              from,
              version,
              {
                attendance: to,
                attendanceRecordedAt: now,
                attendanceRecordedBy: ctx.viewer.subject,
              },
              recorded,
            );
          },
          reread: () => ctx.queries.enrolment(enrolment._id),
        });
        await publishRecordedChange(ctx, {
          events: recorded,
          settle: (ids) =>
            ctx.queries.settleEnrolmentEvents(enrolment._id, ids),
        });
        return updated;
      },
    );
  },

  answerSurvey(
    _: unknown,
    args: MutationAnswerSurveyArgs,
    ctx: EngagementContext,
  ): Promise<SurveyAnswerReceiptValue> {
    const problems = idProblems(
      'surveyId',
      args.surveyId,
      SURVEY_ID,
      'eng-sv-1',
      {
        idempotencyKey: args.idempotencyKey ?? null,
      },
    );
    if (args.answers.length === 0 || args.answers.length > 30)
      problems.push('answers must hold 1 to 30 answers');
    const seen = new Set<string>();
    for (const answer of args.answers) {
      if (seen.has(answer.questionId))
        problems.push(`question ${answer.questionId} is answered twice`);
      seen.add(answer.questionId);
    }
    refuseIfAny('survey answer', problems);
    const subject = ctx.viewer.subject;
    if (subject === null)
      throw new DocumentRuleError({
        rule: 'answerSurvey (a named citizen)',
        coordinate: 'Mutation.answerSurvey',
        message: 'Only a signed-in citizen may answer a survey.',
      });
    return runIdempotent(
      {
        store: ctx.queries.idempotency,
        operation: 'answerSurvey',
        subject,
        key: args.idempotencyKey,
        input: { surveyId: args.surveyId, answers: args.answers },
        logger: ctx.logger,
      },
      async () => {
        const survey = await ctx.queries.survey(args.surveyId);
        if (!survey)
          throw new NotFoundError(`No survey with id "${args.surveyId}".`);
        const increments: Record<string, number> = {};
        const answerProblems: string[] = [];
        for (const answer of args.answers) {
          const index = survey.questions.findIndex(
            (q) => q.questionId === answer.questionId,
          );
          const question = survey.questions[index];
          if (!question) {
            answerProblems.push(
              `questionId "${answer.questionId}" is not a question of ${survey._id}`,
            );
            continue;
          }
          const path = `questions.${index}`;
          if (question.kind === 'RATING') {
            const rating = answer.rating;
            if (
              rating === null ||
              rating === undefined ||
              !Number.isInteger(rating) ||
              rating < 1 ||
              rating > 5 ||
              (answer.optionIds?.length ?? 0) > 0
            ) {
              answerProblems.push(
                `${question.questionId} is a RATING question: give a rating from 1 to 5 and no optionIds`,
              );
              continue;
            }
            increments[`${path}.ratingCounts.${rating - 1}`] = 1;
          } else {
            const ids = answer.optionIds ?? [];
            const positions = ids.map((id) =>
              question.options.findIndex((o) => o.optionId === id),
            );
            const single = question.kind === 'SINGLE_CHOICE';
            if (
              ids.length === 0 ||
              (single && ids.length !== 1) ||
              new Set(ids).size !== ids.length ||
              positions.includes(-1) ||
              (answer.rating !== null && answer.rating !== undefined)
            ) {
              answerProblems.push(
                `${question.questionId} is a ${question.kind} question: give ${single ? 'exactly one' : 'one or more distinct'} of its optionIds (${question.options.map((o) => o.optionId).join(', ')}) and no rating`,
              );
              continue;
            }
            for (const position of positions)
              increments[`${path}.options.${position}.count`] = 1;
          }
          increments[`${path}.answerCount`] = 1;
        }
        refuseIfAny('survey answer', answerProblems);
        const now = ctx.now();
        const key = respondentKey(survey._id, subject);
        const refusal = (current: SurveyDoc) =>
          surveyStatus(current, now) === 'CLOSED'
            ? new ConflictError(
                `Survey ${current._id} is CLOSED: it takes answers from ${current.opensAt.toISOString()} to ${current.closesAt.toISOString()}.`,
                'INVALID_TRANSITION',
                { currentState: 'CLOSED' },
              )
            : (current.respondentKeys ?? []).includes(key)
              ? new ConflictError(
                  `You have already answered survey ${current._id}: one answer per citizen.`,
                  'INVALID_TRANSITION',
                  { currentState: 'ANSWERED' },
                )
              : null;
        const before = refusal(survey);
        if (before) throw before;
        // One event per answer; its id is drawn once, so a redelivery of it is
        // recognised (consumers re-read the counts, never the answer).
        const events: CityEvent[] = [
          {
            id: `${survey._id}@answer-${randomUUID()}`,
            department: 'engagement',
            type: 'survey.answered',
            entity: { type: 'Survey', id: survey._id },
            ...(survey.district ? { district: survey.district } : {}),
            occurredAt: now,
            payload: {},
          },
        ];
        const updated = await ctx.queries.addSurveyResponse(
          survey._id,
          key,
          now,
          increments,
          events,
        );
        if (!updated) {
          // Closed or answered between the read and the write.
          const now2 = await ctx.queries.survey(survey._id);
          throw (
            (now2 && refusal(now2)) ??
            new ConflictError(
              `Survey ${survey._id} changed while answering: retry.`,
              'INVALID_TRANSITION',
            )
          );
        }
        await publishRecordedChange(ctx, {
          events,
          settle: (ids) => ctx.queries.settleSurveyEvents(survey._id, ids),
        });
        // Who answered stays in the survey document, out of every answer.
        const {
          respondentKeys: _keys,
          pendingEvents: _events,
          ...aggregates
        } = updated as SurveyDoc & { pendingEvents?: unknown };
        return { survey: aggregates, answeredAt: now };
      },
    );
  },
};
