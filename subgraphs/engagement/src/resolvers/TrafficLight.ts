/** TrafficLight: mobility owns it; engagement extends it with the citizen reports about it. */
import type { PageArgs } from '../../../../lib/pagination.js';
import type { EngagementContext } from '../context.js';
import type { CitizenReportDoc } from '../models/index.js';
import { paginateLoaded } from '../paginateLoaded.js';

interface TrafficLightRef {
  id: string;
}

export const TrafficLight = {
  // Nothing of the light itself is stored here: the reference is the object.
  __resolveReference: (ref: TrafficLightRef) => ({ id: ref.id }),
  async reports(
    ref: TrafficLightRef,
    args: PageArgs & { status?: CitizenReportDoc['status'] | null },
    ctx: EngagementContext,
  ) {
    const all = await ctx.loaders.citizenReportsByTrafficLight.load(ref.id);
    const matching = args.status
      ? all.filter((r) => r.status === args.status)
      : all;
    return paginateLoaded(matching, args, 'requestedDatetime', -1);
  },
};
