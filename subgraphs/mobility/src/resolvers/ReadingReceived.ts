/**
 * ReadingReceived: a reading as the city graph received it (what
 * `Subscription.readingReceived` delivers). Mobility owns the type and
 * answers for traffic sensors; environment answers for its stations.
 */
import { parseReadingId } from '../../../../lib/runtime/cityEvents.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import type { MobilityContext } from '../context.js';

/** What ReadingReceived's resolvers receive: the reading id, read. */
export interface ReadingReceivedRef {
  id: string;
  entityId: string;
  observedAt: Date;
}

/** The reference for `id`; BAD_USER_INPUT when it is not `<id>@<ISO time>`. */
export function readingReceivedRef(id: string): ReadingReceivedRef {
  const parsed = parseReadingId(id);
  if (!parsed)
    throw new BadUserInputError(
      `"${id}" is not a reading id: expected <sensor or station id>@<observedAt as ISO 8601 UTC>, e.g. mob-ts-13201-01@2026-11-25T08:00:00.000Z.`,
      { argumentName: 'id' },
    );
  return { id, ...parsed };
}

/** Whether the reading is a traffic sensor's (mobility ids start with `mob-ts-`). */
const isTrafficSensorId = (id: string) => id.startsWith('mob-ts-');

export const ReadingReceived = {
  __resolveReference: (ref: { id: string }) => readingReceivedRef(ref.id),
  observedAt: (ref: ReadingReceivedRef) => ref.observedAt,
  trafficSensor: (ref: ReadingReceivedRef, _: unknown, ctx: MobilityContext) =>
    isTrafficSensorId(ref.entityId)
      ? ctx.loaders.trafficSensorById.load(ref.entityId)
      : null,
  trafficReading: (
    ref: ReadingReceivedRef,
    _: unknown,
    ctx: MobilityContext,
  ) =>
    isTrafficSensorId(ref.entityId)
      ? ctx.loaders.trafficReadingById.load(ref.id)
      : null,
};
