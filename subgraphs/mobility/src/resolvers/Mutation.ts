/** Mobility's mutations. */
import { replayQuarantineMutation } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import {
  BadUserInputError,
  ForbiddenError,
  NotFoundError,
} from '../../../../lib/runtime/errors.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import { publishRecordedChange } from '../../../../lib/subgraph-kit/pendingEvents.js';
import { canControlTrafficLight } from '../access.js';
import type { MobilityContext } from '../context.js';

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
      throw new ForbiddenError(
        `Traffic light ${light._id} is under maintenance: its plan cannot be changed now.`,
      );
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
};
