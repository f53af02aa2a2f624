/** TrafficLight: mobility owns it; engagement's citizen reports reference it. */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import { versionOf } from '../../../../lib/subgraph-kit/versioning.js';
import type { MobilityContext } from '../context.js';
import type { SignalPlanDoc, TrafficLightDoc } from '../models/TrafficLight.js';

export const TrafficLight = {
  __resolveReference: (ref: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.trafficLightById.load(ref.id),
  id: (doc: TrafficLightDoc) => doc._id,
  ngsiId: (doc: TrafficLightDoc) => ngsiIdOf('Device', doc._id),
  district: (doc: TrafficLightDoc) => ({ code: doc.district }),
  signalPlan: (doc: TrafficLightDoc) => doc.signalPlan,
  fault: (doc: TrafficLightDoc) => doc.fault ?? null,
  version: (doc: TrafficLightDoc) => versionOf(doc),
};

export const SignalPlan = {
  id: (plan: SignalPlanDoc) => plan.planId,
};
