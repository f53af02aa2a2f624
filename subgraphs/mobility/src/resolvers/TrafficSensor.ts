/** TrafficSensor: mobility owns it; other departments reference it by id. */
import type { TimeSeriesPageArgs } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import { loadExisting } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityContext } from '../context.js';
import type {
  TrafficFlowReadingDoc,
  TrafficSensorDoc,
} from '../models/index.js';
import { intensity, speed } from './units.js';

export const TrafficSensor = {
  __resolveReference: (ref: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.trafficSensorById.load(ref.id),
  id: (doc: TrafficSensorDoc) => doc._id,
  district: (doc: TrafficSensorDoc) => ({ code: doc.district }),
  readings: (
    doc: TrafficSensorDoc,
    args: TimeSeriesPageArgs,
    ctx: MobilityContext,
  ) => ctx.loaders.trafficReadingPagesBySensor(doc._id, args),
  latestReading: (doc: TrafficSensorDoc, _: unknown, ctx: MobilityContext) =>
    ctx.loaders.latestReadingBySensor.load(doc._id),
};

export const TrafficFlowReading = {
  id: (doc: TrafficFlowReadingDoc) => doc._id,
  sensor: (doc: TrafficFlowReadingDoc, _: unknown, ctx: MobilityContext) =>
    loadExisting(ctx.loaders.trafficSensorById, doc.sensorId, 'traffic sensor'),
  intensity: (doc: TrafficFlowReadingDoc) => intensity(doc.intensity),
  averageSpeed: (doc: TrafficFlowReadingDoc) => speed(doc.averageSpeed),
};
