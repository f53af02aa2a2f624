/** Mobility's mutations. */
import { replayQuarantineMutation } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import { DocumentRuleError } from '../../../../lib/records/access/index.js';
import {
  BadUserInputError,
  NotFoundError,
} from '../../../../lib/runtime/errors.js';
import { runIdempotent } from '../../../../lib/subgraph-kit/idempotency.js';
import {
  applyTransition,
  noteProblem,
  workflowArgumentProblems,
  type WorkflowArgs,
} from '../../../../lib/subgraph-kit/workflowTransition.js';
import {
  canChangeTrafficLightStatus,
  canControlTrafficLight,
} from '../access.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import { publishRecordedChange } from '../../../../lib/subgraph-kit/pendingEvents.js';
import type { MobilityContext } from '../context.js';
import {
  trafficLightLifecycle,
  type TrafficLightDoc,
} from '../models/TrafficLight.js';

const TRAFFIC_LIGHT_ID = /^mob-tl-132(0[1-9]|1[0-6])-\d{2}$/;

/** The arguments of both status mutations. */
interface StatusChangeArgs extends WorkflowArgs {
  trafficLightId: string;
}

/** Checks a status change before anything is read; every problem is listed in one error. */
function validateStatusChange(
  args: StatusChangeArgs,
  note: [name: string, text: string, min: number],
  extra: string[] = [],
): void {
  const problems = [...extra];
  if (!TRAFFIC_LIGHT_ID.test(args.trafficLightId))
    problems.push(
      `trafficLightId must be a traffic light id like mob-tl-13201-01, got "${args.trafficLightId.slice(0, 40)}"`,
    );
  const noteIssue = noteProblem(note[0], note[1], note[2], 500);
  if (noteIssue) problems.push(noteIssue);
  problems.push(...workflowArgumentProblems(args));
  if (problems.length > 0)
    throw new BadUserInputError(
      `Invalid status change: ${problems.join('; ')}.`,
      { problems },
    );
}

/**
 * One status transition of a light: idempotent, checked against its life
 * cycle and version, written conditionally, announced.
 */
async function changeTrafficLightStatus(
  ctx: MobilityContext,
  operation: 'setTrafficLightStatus' | 'reportTrafficLightFault',
  args: StatusChangeArgs,
  input: Record<string, unknown>,
  to: TrafficLightDoc['status'],
  set: (now: Date, light: TrafficLightDoc) => Partial<TrafficLightDoc>,
): Promise<TrafficLightDoc> {
  if (!canChangeTrafficLightStatus(ctx.viewer))
    throw new DocumentRuleError({
      rule: 'canChangeTrafficLightStatus (a named mobility staff member)',
      coordinate: `Mutation.${operation}`,
      message:
        'Only a named mobility staff member may change a traffic light status.',
    });
  return runIdempotent(
    {
      store: ctx.queries.idempotency,
      operation,
      subject: ctx.viewer.subject,
      key: args.idempotencyKey,
      input: {
        trafficLightId: args.trafficLightId,
        expectedVersion: args.expectedVersion ?? null,
        ...input,
      },
      logger: ctx.logger,
    },
    async () => {
      const light = await ctx.queries.trafficLight(args.trafficLightId);
      if (!light)
        throw new NotFoundError(
          `No traffic light with id "${args.trafficLightId}".`,
        );
      const now = new Date();
      const eventAt = (version: number): CityEvent => ({
        id: `${light._id}@v${version}`,
        department: 'mobility',
        type:
          to === 'FAULT'
            ? 'trafficLight.faultReported'
            : 'trafficLight.statusChanged',
        entity: { type: 'TrafficLight', id: light._id },
        district: light.district,
        occurredAt: now,
        payload: { status: to, version },
      });
      let recorded: CityEvent[] = [];
      const updated = await applyTransition({
        machine: trafficLightLifecycle,
        current: light,
        stateOf: (doc) => doc.status,
        to,
        action: to === 'FAULT' ? 'reported faulty' : `put in ${to}`,
        expectedVersion: args.expectedVersion,
        // The transition records its event on the light in the same write.
        write: (from, version) => {
          recorded = [eventAt(version + 1)];
          return ctx.queries.transitionTrafficLight(
            light._id,
            from,
            version,
            set(now, light),
            recorded,
          );
        },
        reread: () => ctx.queries.trafficLight(light._id),
      });
      ctx.logger.info(
        { trafficLightId: light._id, by: ctx.viewer.subject, status: to },
        'traffic light status changed',
      );
      await publishRecordedChange(ctx, {
        events: recorded,
        settle: (ids) => ctx.queries.settleTrafficLightEvents(light._id, ids),
      });
      return updated;
    },
  );
}

interface SignalPlanInput {
  name: string;
  cycleSeconds: number;
  phases: { name: string; greenSeconds: number }[];
}

/** Checks a plan before anything is written; every problem is listed in one error. */
function validatePlan(plan: SignalPlanInput): void {
  const problems: string[] = [];
  const name = plan.name.trim();
  if (name.length === 0 || name.length > 100)
    problems.push('name must be 1 to 100 characters');
  if (
    !Number.isInteger(plan.cycleSeconds) ||
    plan.cycleSeconds < 30 ||
    plan.cycleSeconds > 180
  )
    problems.push('cycleSeconds must be an integer from 30 to 180');
  if (plan.phases.length < 2 || plan.phases.length > 8)
    problems.push('a plan has 2 to 8 phases');
  plan.phases.forEach((phase, i) => {
    if (
      !Number.isInteger(phase.greenSeconds) ||
      phase.greenSeconds < 5 ||
      phase.greenSeconds > 120
    )
      problems.push(
        `phases[${i}].greenSeconds must be an integer from 5 to 120`,
      );
  });
  const green = plan.phases.reduce((sum, p) => sum + p.greenSeconds, 0);
  if (green > plan.cycleSeconds)
    problems.push(
      `the phases' green time (${green} s) exceeds the cycle (${plan.cycleSeconds} s)`,
    );
  if (problems.length > 0) {
    throw new BadUserInputError(
      `Invalid signal plan: ${problems.join('; ')}.`,
      { argumentName: 'plan', problems },
    );
  }
}

export const Mutation = {
  replayMobilityQuarantine: (
    _: unknown,
    args: { ids: readonly string[] },
    ctx: MobilityContext,
  ) => replayQuarantineMutation(args.ids, ctx.queries),
  async setSignalPlan(
    _: unknown,
    args: { trafficLightId: string; plan: SignalPlanInput },
    ctx: MobilityContext,
  ) {
    validatePlan(args.plan);
    const light = await ctx.queries.trafficLight(args.trafficLightId);
    if (!light)
      throw new NotFoundError(
        `No traffic light with id "${args.trafficLightId}".`,
      );
    if (!canControlTrafficLight(ctx.viewer, light)) {
      // A rule of the data itself: the audit event records this denial
      // with its rule, not the scope that let the call through.
      throw new DocumentRuleError({
        rule: 'canControlTrafficLight (no new plan on a light under maintenance)',
        coordinate: 'Mutation.setSignalPlan',
        message: `Traffic light ${light._id} is under maintenance: its plan cannot be changed now.`,
      });
    }
    const validFrom = new Date();
    const planId = `${light._id}-plan-${validFrom.getTime()}`;
    const event: CityEvent = {
      id: `${light._id}@signalPlan/${planId}`,
      department: 'mobility',
      type: 'signalPlan.changed',
      entity: { type: 'TrafficLight', id: light._id },
      district: light.district,
      occurredAt: validFrom,
      payload: { planId },
    };
    // The plan and its event in one write: a crash before the outbox has
    // the event leaves it on the light, for the relay's sweep.
    const updated = await ctx.queries.setSignalPlan(
      light._id,
      {
        planId,
        name: args.plan.name.trim(),
        cycleSeconds: args.plan.cycleSeconds,
        phases: args.plan.phases,
        validFrom,
        updatedBy: ctx.viewer.subject,
      },
      [event],
    );
    ctx.logger.info(
      { trafficLightId: light._id, by: ctx.viewer.subject },
      'signal plan changed',
    );
    if (updated)
      await publishRecordedChange(ctx, {
        events: [event],
        settle: (ids) => ctx.queries.settleTrafficLightEvents(light._id, ids),
      });
    return updated;
  },
  setTrafficLightStatus(
    _: unknown,
    args: StatusChangeArgs & {
      status: TrafficLightDoc['status'];
      reason: string;
    },
    ctx: MobilityContext,
  ) {
    validateStatusChange(
      args,
      ['reason', args.reason, 1],
      args.status === 'FAULT'
        ? ['status FAULT is set by reportTrafficLightFault, with what is wrong']
        : [],
    );
    const reason = args.reason.trim();
    return changeTrafficLightStatus(
      ctx,
      'setTrafficLightStatus',
      args,
      { status: args.status, reason },
      args.status,
      (_now, light) => ({
        status: args.status,
        statusReason: reason,
        // The fault stays on record through its repair; back in service, it is closed.
        fault: args.status === 'OPERATIONAL' ? null : (light.fault ?? null),
      }),
    );
  },
  reportTrafficLightFault(
    _: unknown,
    args: StatusChangeArgs & { description: string },
    ctx: MobilityContext,
  ) {
    validateStatusChange(args, ['description', args.description, 10]);
    const description = args.description.trim();
    return changeTrafficLightStatus(
      ctx,
      'reportTrafficLightFault',
      args,
      { description },
      'FAULT',
      (now) => ({
        status: 'FAULT',
        statusReason: description,
        fault: { description, reportedAt: now, reportedBy: ctx.viewer.subject },
      }),
    );
  },
};
