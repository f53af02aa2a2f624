/** WaterLeakAlert: operational data, reached only through staff-only fields. */
import { loadExisting } from '../../../../lib/subgraph-kit/loaders.js';
import { versionOf } from '../../../../lib/subgraph-kit/versioning.js';
import type { EnvironmentContext } from '../context.js';
import type {
  WaterConsumptionObservedDoc,
  WaterLeakAlertDoc,
} from '../models/index.js';
import type { LeakDetectionDoc } from '../models/WaterLeakAlert.js';
import { cubicMetresPerHour } from './units.js';

/** The filter of an optional `status` argument (GraphQL has validated the enum). */
export function leakAlertFilter(args: {
  status?: WaterLeakAlertDoc['status'] | null;
}): Record<string, string> {
  return args.status ? { status: args.status } : {};
}

export const WaterLeakAlert = {
  id: (doc: WaterLeakAlertDoc) => doc._id,
  meter: (doc: WaterLeakAlertDoc, _: unknown, ctx: EnvironmentContext) =>
    loadExisting(ctx.loaders.waterMeterById, doc.meterId, 'water meter'),
  district: (doc: WaterLeakAlertDoc) => ({ code: doc.district }),
  estimatedLoss: (doc: WaterLeakAlertDoc) =>
    cubicMetresPerHour(doc.estimatedLoss),
  detection: (doc: WaterLeakAlertDoc) => doc.detection ?? null,
  version: (doc: WaterLeakAlertDoc) => versionOf(doc),
};

export const LeakDetection = {
  minimumNightFlow: (doc: LeakDetectionDoc) =>
    cubicMetresPerHour(doc.minimumNightFlow),
  baseline: (doc: LeakDetectionDoc) => cubicMetresPerHour(doc.baseline),
  async readings(doc: LeakDetectionDoc, _: unknown, ctx: EnvironmentContext) {
    const found = await ctx.loaders.waterReadingById.loadMany([
      ...doc.readingIds,
    ]);
    return found.filter(
      (r): r is WaterConsumptionObservedDoc =>
        r !== null && !(r instanceof Error),
    );
  },
};
