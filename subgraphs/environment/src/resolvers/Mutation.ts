/** Environment's mutations: quarantine replay and the leak-alert workflow (docs/workflows.md). */
import { DocumentRuleError } from '../../../../lib/records/access/index.js';
import { replayQuarantineMutation } from '../../../../lib/subgraph-kit/quarantineResolvers.js';
import {
  BadUserInputError,
  NotFoundError,
} from '../../../../lib/runtime/errors.js';
import {
  idempotencyKeyProblem,
  runIdempotent,
} from '../../../../lib/subgraph-kit/idempotency.js';
import type { CityEvent } from '../../../../lib/runtime/cityEvents.js';
import { publishRecordedChange } from '../../../../lib/subgraph-kit/pendingEvents.js';
import { expectedVersionProblem } from '../../../../lib/subgraph-kit/versioning.js';
import { applyTransition } from '../../../../lib/subgraph-kit/workflowTransition.js';
import { canHandleWaterLeakAlert } from '../access.js';
import type { EnvironmentContext } from '../context.js';
import {
  LEAK_NOTE_MAX_LENGTH,
  leakAlertLifecycle,
  type LEAK_STATUSES,
} from '../models/WaterLeakAlert.js';
import type { WaterLeakAlertDoc } from '../models/index.js';

const LEAK_ALERT_ID = /^env-leak-132(0[1-9]|1[0-6])-\d{1,4}(-\d{8})?$/;
// Control characters other than tab and newline have no place in a note.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** What both leak-alert mutations receive besides their note. */
interface LeakAlertChangeArgs {
  id: string;
  expectedVersion?: number | null;
  idempotencyKey?: string | null;
}

/** Checks the arguments before anything is read or written; every problem is listed in one error. */
function validateChange(
  args: LeakAlertChangeArgs,
  noteName: 'note' | 'resolution',
  given: string,
  what: string,
): string {
  const problems: string[] = [];
  if (!LEAK_ALERT_ID.test(args.id))
    problems.push(
      `id must be a leak alert id like env-leak-13201-1-20261121, got "${args.id.slice(0, 40)}"`,
    );
  const note = given.trim();
  if (note.length === 0 || note.length > LEAK_NOTE_MAX_LENGTH)
    problems.push(
      `${noteName} must be 1 to ${LEAK_NOTE_MAX_LENGTH} characters`,
    );
  if (CONTROL.test(note))
    problems.push(`${noteName} must not contain control characters`);
  for (const problem of [
    expectedVersionProblem(args.expectedVersion),
    idempotencyKeyProblem(args.idempotencyKey),
  ])
    if (problem) problems.push(problem);
  if (problems.length > 0)
    throw new BadUserInputError(`Invalid ${what}: ${problems.join('; ')}.`, {
      problems,
    });
  return note;
}

/**
 * One leak-alert transition as a mutation: validated, idempotent, checked
 * against the life cycle and the version, written conditionally, announced.
 */
async function changeLeakAlert(
  ctx: EnvironmentContext,
  operation: 'acknowledgeLeakAlert' | 'resolveLeakAlert',
  args: LeakAlertChangeArgs,
  note: string,
  to: (typeof LEAK_STATUSES)[number],
  set: (now: Date) => Partial<WaterLeakAlertDoc>,
): Promise<WaterLeakAlertDoc> {
  if (!canHandleWaterLeakAlert(ctx.viewer))
    // A rule of the caller the directive cannot state (a named subject):
    // the audit event records this denial with its rule.
    throw new DocumentRuleError({
      rule: 'canHandleWaterLeakAlert (a named environment staff member)',
      coordinate: `Mutation.${operation}`,
      message: 'Only a named environment staff member may handle leak alerts.',
    });
  const { idempotencyKey, ...input } = args;
  return runIdempotent(
    {
      store: ctx.queries.idempotency,
      operation,
      subject: ctx.viewer.subject,
      key: idempotencyKey,
      input: { ...input, note },
      logger: ctx.logger,
    },
    async () => {
      const alert = await ctx.queries.waterLeakAlert(args.id);
      if (!alert)
        throw new NotFoundError(`No leak alert with id "${args.id}".`);
      const now = new Date();
      const eventAt = (version: number): CityEvent => ({
        id: `${alert._id}@${to.toLowerCase()}`,
        department: 'environment',
        type: `leakAlert.${to.toLowerCase()}`,
        entity: { type: 'WaterLeakAlert', id: alert._id },
        district: alert.district,
        occurredAt: now,
        payload: { status: to, version },
      });
      let recorded: CityEvent[] = [];
      const updated = await applyTransition({
        machine: leakAlertLifecycle,
        current: alert,
        stateOf: (doc) => doc.status,
        to,
        action: to.toLowerCase(),
        expectedVersion: args.expectedVersion,
        // The transition records its event on the alert in the same write.
        write: (from, version) => {
          recorded = [eventAt(version + 1)];
          return ctx.queries.transitionLeakAlert(
            alert._id,
            from,
            version,
            set(now),
            recorded,
          );
        },
        reread: () => ctx.queries.waterLeakAlert(alert._id),
      });
      ctx.logger.info(
        { leakAlertId: alert._id, by: ctx.viewer.subject, status: to },
        `leak alert ${to.toLowerCase()}`,
      );
      await publishRecordedChange(ctx, {
        events: recorded,
        settle: (ids) => ctx.queries.settleLeakAlertEvents(alert._id, ids),
      });
      return updated;
    },
  );
}

export const Mutation = {
  replayEnvironmentQuarantine: (
    _: unknown,
    args: { ids: readonly string[] },
    ctx: EnvironmentContext,
  ) => replayQuarantineMutation(args.ids, ctx.queries),
  acknowledgeLeakAlert(
    _: unknown,
    args: LeakAlertChangeArgs & { note: string },
    ctx: EnvironmentContext,
  ) {
    const { note: given, ...change } = args;
    const note = validateChange(change, 'note', given, 'acknowledgement');
    return changeLeakAlert(
      ctx,
      'acknowledgeLeakAlert',
      change,
      note,
      'ACKNOWLEDGED',
      (now) => ({
        status: 'ACKNOWLEDGED',
        acknowledgedAt: now,
        acknowledgedBy: ctx.viewer.subject,
        note,
      }),
    );
  },
  resolveLeakAlert(
    _: unknown,
    args: LeakAlertChangeArgs & { resolution: string },
    ctx: EnvironmentContext,
  ) {
    const { resolution: given, ...change } = args;
    const resolution = validateChange(
      change,
      'resolution',
      given,
      'resolution',
    );
    return changeLeakAlert(
      ctx,
      'resolveLeakAlert',
      change,
      resolution,
      'RESOLVED',
      (now) => ({
        status: 'RESOLVED',
        resolvedAt: now,
        resolvedBy: ctx.viewer.subject,
        resolution,
      }),
    );
  },
};
