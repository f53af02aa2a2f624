/** CongestionWindow: a district's congestion over a sliding window (analysis/congestionWindow.ts). */
import type { CongestionWindowValue } from '../analysis/congestionWindow.js';
import type { MobilityContext } from '../context.js';
import { speed } from './units.js';

export const CongestionWindow = {
  async sensors(
    window: CongestionWindowValue,
    _: unknown,
    ctx: MobilityContext,
  ) {
    const sensors = await ctx.loaders.trafficSensorById.loadMany([
      ...window.sensorIds,
    ]);
    return sensors.filter(
      (s): s is Exclude<typeof s, Error | null> =>
        s !== null && !(s instanceof Error),
    );
  },
  averageSpeed: (window: CongestionWindowValue) =>
    window.averageSpeed === null ? null : speed(window.averageSpeed),
};
