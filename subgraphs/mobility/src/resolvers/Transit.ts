/** TransitLine and TransitStop (RTM network). */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import type { MobilityContext } from '../context.js';
import type { TransitLineDoc, TransitStopDoc } from '../models/index.js';

async function loadAll<T>(
  loader: { loadMany(keys: readonly string[]): Promise<(T | null | Error)[]> },
  ids: string[],
) {
  const found = await loader.loadMany(ids);
  return found.filter((x): x is T => x !== null && !(x instanceof Error));
}

export const TransitLine = {
  __resolveReference: (ref: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.transitLineById.load(ref.id),
  id: (doc: TransitLineDoc) => doc._id,
  ngsiId: (doc: TransitLineDoc) => ngsiIdOf('GtfsRoute', doc._id),
  stops: (doc: TransitLineDoc, _: unknown, ctx: MobilityContext) =>
    loadAll<TransitStopDoc>(ctx.loaders.transitStopById, doc.stopIds),
};

export const TransitStop = {
  __resolveReference: (ref: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.transitStopById.load(ref.id),
  id: (doc: TransitStopDoc) => doc._id,
  ngsiId: (doc: TransitStopDoc) => ngsiIdOf('GtfsStop', doc._id),
  district: (doc: TransitStopDoc) => ({ code: doc.district }),
  lines: (doc: TransitStopDoc, _: unknown, ctx: MobilityContext) =>
    loadAll<TransitLineDoc>(ctx.loaders.transitLineById, doc.lineIds),
};
