/**
 * ReadingReceived (owned by mobility): environment answers the fields of
 * its own readings, those of air-quality stations.
 */
import { parseReadingId } from '../../../../lib/runtime/cityEvents.js';
import { BadUserInputError } from '../../../../lib/runtime/errors.js';
import type { EnvironmentContext } from '../context.js';

/** What ReadingReceived's resolvers receive: the reading id, read. */
export interface ReadingReceivedRef {
  id: string;
  entityId: string;
  observedAt: Date;
}

/** Whether the reading is an air-quality station's (ids start with `env-aq-`). */
const isStationId = (id: string) => id.startsWith('env-aq-');

export const ReadingReceived = {
  __resolveReference: (ref: { id: string }): ReadingReceivedRef => {
    const parsed = parseReadingId(ref.id);
    if (!parsed)
      throw new BadUserInputError(`"${ref.id}" is not a reading id.`, {
        argumentName: 'id',
      });
    return { id: ref.id, ...parsed };
  },
  airQualityStation: (
    ref: ReadingReceivedRef,
    _: unknown,
    ctx: EnvironmentContext,
  ) =>
    isStationId(ref.entityId)
      ? ctx.loaders.airQualityStationById.load(ref.entityId)
      : null,
  airQualityReading: (
    ref: ReadingReceivedRef,
    _: unknown,
    ctx: EnvironmentContext,
  ) =>
    isStationId(ref.entityId)
      ? ctx.loaders.airQualityReadingById.load(ref.id)
      : null,
};
