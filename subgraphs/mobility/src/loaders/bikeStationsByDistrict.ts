/** Loader: the bike stations of each district. */
import { createGroupByFieldLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, BikeStationDoc } from '../models/index.js';

/** the bike stations of each district. One query per batch of districts. */
export function bikeStationsByDistrict(models: MobilityModels) {
  return createGroupByFieldLoader<BikeStationDoc>(
    models.BikeStation,
    'district',
  );
}
