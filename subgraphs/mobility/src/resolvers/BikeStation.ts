/** BikeStation (levélo). */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import type { MobilityContext } from '../context.js';
import type { BikeStationDoc } from '../models/index.js';

export const BikeStation = {
  __resolveReference: (ref: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.bikeStationById.load(ref.id),
  id: (doc: BikeStationDoc) => doc._id,
  ngsiId: (doc: BikeStationDoc) => ngsiIdOf('BikeHireDockingStation', doc._id),
  district: (doc: BikeStationDoc) => ({ code: doc.district }),
  freeSlots: (doc: BikeStationDoc) => doc.capacity - doc.availableBikes,
};
