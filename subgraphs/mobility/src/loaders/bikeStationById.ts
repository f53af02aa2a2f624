/** Loader: bike stations by id. */
import { createByIdLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, BikeStationDoc } from '../models/index.js';

/** bike stations by id. One query per batch. */
export function bikeStationById(models: MobilityModels) {
  return createByIdLoader<BikeStationDoc>(models.BikeStation);
}
