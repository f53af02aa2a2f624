/** TrafficLight: mobility owns it; engagement extends it with the citizen reports about it. */
import {
  paginateLoaded,
  type Page,
} from '../../../../lib/subgraph-kit/pagination.js';
import type { TrafficLightReportsArgs } from '../__generated__/resolvers-types.js';
import type { EngagementContext } from '../context.js';
import type { CitizenReportDoc } from '../models/index.js';
import { storedStatus } from './CitizenReport.js';

/** A traffic light as engagement knows it: its id (mobility resolves the rest). */
export interface TrafficLightRef {
  id: string;
}

export const TrafficLight = {
  // Nothing of the light itself is stored here: the reference is the object.
  __resolveReference: (ref: TrafficLightRef): TrafficLightRef => ({
    id: ref.id,
  }),
  async reports(
    ref: TrafficLightRef,
    args: Partial<TrafficLightReportsArgs>,
    ctx: EngagementContext,
  ): Promise<Page<CitizenReportDoc>> {
    const all = await ctx.loaders.citizenReportsByTrafficLight.load(ref.id);
    const status = storedStatus(args.status);
    const matching = status ? all.filter((r) => r.status === status) : all;
    return paginateLoaded(matching, args, 'requestedDatetime', -1);
  },
};
