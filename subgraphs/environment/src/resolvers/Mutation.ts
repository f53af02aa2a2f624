/** Environment's mutations. */
import { replayQuarantineMutation } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import {
  BadUserInputError,
  NotFoundError,
} from '../../../../lib/runtime/errors.js';
import { publishChange } from '../../../../lib/subgraph-kit/publishChange.js';
import { canAcknowledgeWaterLeakAlert } from '../access.js';
import type { EnvironmentContext } from '../context.js';
import { LEAK_NOTE_MAX_LENGTH } from '../models/WaterLeakAlert.js';

const LEAK_ALERT_ID = /^env-leak-132(0[1-9]|1[0-6])-\d{1,4}(-\d{8})?$/;
// Control characters other than tab and newline have no place in a note.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Checks the arguments before anything is read or written; every problem is listed in one error. */
function validateAcknowledgement(args: { id: string; note: string }): string {
  const problems: string[] = [];
  if (!LEAK_ALERT_ID.test(args.id))
    problems.push(
      `id must be a leak alert id like env-leak-13201-1-20261121, got "${args.id.slice(0, 40)}"`,
    );
  const note = args.note.trim();
  if (note.length === 0 || note.length > LEAK_NOTE_MAX_LENGTH)
    problems.push(`note must be 1 to ${LEAK_NOTE_MAX_LENGTH} characters`);
  if (CONTROL.test(note))
    problems.push('note must not contain control characters');
  if (problems.length > 0)
    throw new BadUserInputError(
      `Invalid acknowledgement: ${problems.join('; ')}.`,
      { problems },
    );
  return note;
}

export const Mutation = {
  replayEnvironmentQuarantine: (
    _: unknown,
    args: { ids: readonly string[] },
    ctx: EnvironmentContext,
  ) => replayQuarantineMutation(args.ids, ctx.queries),
  async acknowledgeLeakAlert(
    _: unknown,
    args: { id: string; note: string },
    ctx: EnvironmentContext,
  ) {
    const note = validateAcknowledgement(args);
    const alert = await ctx.queries.waterLeakAlert(args.id);
    if (!alert) throw new NotFoundError(`No leak alert with id "${args.id}".`);
    const notOpen = () =>
      new BadUserInputError(
        `Leak alert ${alert._id} is not OPEN: only an open alert can be acknowledged.`,
        { argumentName: 'id', status: alert.status },
      );
    if (!canAcknowledgeWaterLeakAlert(ctx.viewer, alert)) throw notOpen();
    // Conditional on status: of two concurrent acknowledgements, one wins and
    // the other is told, so the first acknowledgement is never overwritten.
    const updated = await ctx.queries.acknowledgeOpenLeakAlert(alert._id, {
      acknowledgedBy: ctx.viewer.subject,
      note,
    });
    if (!updated) throw notOpen();
    ctx.logger.info(
      { leakAlertId: alert._id, by: ctx.viewer.subject },
      'leak alert acknowledged',
    );
    await publishChange(ctx, {
      id: `${alert._id}@acknowledged`,
      department: 'environment',
      type: 'leakAlert.acknowledged',
      entity: { type: 'WaterLeakAlert', id: alert._id },
      district: alert.district,
      occurredAt: new Date(),
      payload: { status: updated.status },
    });
    return updated;
  },
};
