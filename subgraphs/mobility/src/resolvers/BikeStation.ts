/** BikeStation (levélo). */
import { ngsiIdOf } from '../../../../lib/ingest/ngsiEntity.js';
import {
  SEED_QUALITY,
  seedSource,
  staleResolver,
} from '../../../../lib/subgraph-kit/provenance.js';
import type { MobilityContext } from '../context.js';
import { bikeHireDockingStationSpec } from '../ingest/BikeHireDockingStation.js';
import type { BikeStationDoc } from '../models/index.js';

export const BikeStation = {
  __resolveReference: (ref: { id: string }, ctx: MobilityContext) =>
    ctx.loaders.bikeStationById.load(ref.id),
  id: (doc: BikeStationDoc) => doc._id,
  ngsiId: (doc: BikeStationDoc) => ngsiIdOf('BikeHireDockingStation', doc._id),
  district: (doc: BikeStationDoc) => ({ code: doc.district }),
  freeSlots: (doc: BikeStationDoc) => doc.capacity - doc.availableBikes,
  // Seeded stations carry no provenance of their own: the seed.
  source: (doc: BikeStationDoc) => doc.source ?? seedSource('mobility'),
  receivedAt: (doc: BikeStationDoc) => doc.receivedAt ?? doc.observedAt,
  quality: (doc: BikeStationDoc) => {
    const quality = doc.quality ?? SEED_QUALITY;
    return { flags: [...quality.flags], score: quality.score };
  },
  stale: staleResolver(bikeHireDockingStationSpec.staleAfterMs),
};
