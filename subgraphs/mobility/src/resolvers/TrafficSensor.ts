/** TrafficSensor: mobility owns it; other departments reference it by id. */
import type { TimeSeriesPageArgs } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import { loadExisting } from '../../../../lib/subgraph-kit/loaders.js';
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import { staleResolver } from '../../../../lib/subgraph-kit/provenance.js';
import type { MobilityContext } from '../context.js';
import { trafficFlowObservedSpec } from '../ingest/TrafficFlowObserved.js';
import type {
  TrafficFlowReadingDoc,
  TrafficSensorDoc,
} from '../models/index.js';
import { intensity, speed } from './units.js';

export const TrafficSensor = {
  __resolveReference: (ref: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.trafficSensorById.load(ref.id),
  id: (doc: TrafficSensorDoc) => doc._id,
  ngsiId: (doc: TrafficSensorDoc) => ngsiIdOf('Device', doc._id),
  district: (doc: TrafficSensorDoc) => ({ code: doc.district }),
  readings: (
    doc: TrafficSensorDoc,
    args: TimeSeriesPageArgs,
    ctx: MobilityContext,
  ) => ctx.loaders.trafficReadingPagesBySensor(doc._id, args),
  // The current state kept on ingest, not a scan of the readings.
  latestReading: (doc: TrafficSensorDoc) => doc.latest ?? null,
};

export const TrafficFlowReading = {
  id: (doc: TrafficFlowReadingDoc) => doc._id,
  sensor: (doc: TrafficFlowReadingDoc, _: unknown, ctx: MobilityContext) =>
    loadExisting(
      ctx.loaders.trafficSensorById,
      doc.device.id,
      'traffic sensor',
    ),
  intensity: (doc: TrafficFlowReadingDoc) =>
    doc.intensity === null ? null : intensity(doc.intensity),
  averageSpeed: (doc: TrafficFlowReadingDoc) =>
    doc.averageSpeed === null ? null : speed(doc.averageSpeed),
  stale: staleResolver(trafficFlowObservedSpec.staleAfterMs),
};
