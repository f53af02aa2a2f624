/** WaterMeter: environment owns it; engagement's citizen reports reference it. */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import { type PageArgs } from '../../../../lib/subgraph-kit/pagination.js';
import type { TimeSeriesPageArgs } from '../../../../lib/subgraph-kit/timeSeriesPages.js';
import { loadExisting } from '../../../../lib/subgraph-kit/loaders.js';
import type { EnvironmentContext } from '../context.js';
import type {
  WaterConsumptionObservedDoc,
  WaterLeakAlertDoc,
  WaterMeterDoc,
} from '../models/index.js';
import { flowOf } from '../analysis/nightFlow.js';
import { waterConsumptionObservedSpec } from '../ingest/WaterConsumptionObserved.js';
import { staleResolver } from '../../../../lib/subgraph-kit/provenance.js';
import { cubicMetres, cubicMetresPerHour, millimetres } from './units.js';
import { leakAlertFilter } from './WaterLeakAlert.js';

export const WaterMeter = {
  __resolveReference: (ref: { id: string }, ctx: EnvironmentContext) =>
    ctx.loaders.waterMeterById.load(ref.id),
  id: (doc: WaterMeterDoc) => doc._id,
  ngsiId: (doc: WaterMeterDoc) => ngsiIdOf('Device', doc._id),
  district: (doc: WaterMeterDoc) => ({ code: doc.district }),
  diameter: (doc: WaterMeterDoc) => millimetres(doc.diameterMm),
  readings: (
    doc: WaterMeterDoc,
    args: TimeSeriesPageArgs,
    ctx: EnvironmentContext,
  ) => ctx.loaders.waterReadingPagesByMeter(doc._id, args),
  // The current state kept on ingest; a meter stored without one (written
  // before the state existed) falls back to its newest reading.
  latestReading: (doc: WaterMeterDoc, _: unknown, ctx: EnvironmentContext) =>
    doc.latestReading === undefined
      ? ctx.loaders.latestWaterReadingByMeter.load(doc._id)
      : doc.latestReading,
  leakAlerts: (
    doc: WaterMeterDoc,
    args: PageArgs & { status?: WaterLeakAlertDoc['status'] | null },
    ctx: EnvironmentContext,
  ) => ctx.loaders.leakAlertPagesByMeter(doc._id, args, leakAlertFilter(args)),
};

export const WaterConsumptionObserved = {
  id: (doc: WaterConsumptionObservedDoc) => doc._id,
  meter: (
    doc: WaterConsumptionObservedDoc,
    _: unknown,
    ctx: EnvironmentContext,
  ) => loadExisting(ctx.loaders.waterMeterById, doc.device.id, 'water meter'),
  consumption: (doc: WaterConsumptionObservedDoc) =>
    doc.consumption === null ? null : cubicMetres(doc.consumption),
  flow: (doc: WaterConsumptionObservedDoc) => {
    const flow = flowOf(doc);
    return flow === null ? null : cubicMetresPerHour(flow);
  },
  meterIndex: (doc: WaterConsumptionObservedDoc) =>
    doc.meterIndex === null || doc.meterIndex === undefined
      ? null
      : cubicMetres(doc.meterIndex),
  stale: staleResolver(waterConsumptionObservedSpec.staleAfterMs),
};
