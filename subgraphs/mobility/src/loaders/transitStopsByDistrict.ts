/** Loader: the transit stops of each district. */
import { createGroupByFieldLoader } from '../../../../lib/subgraph-kit/loaders.js';
import type { MobilityModels, TransitStopDoc } from '../models/index.js';

/** the transit stops of each district. One query per batch of districts. */
export function transitStopsByDistrict(models: MobilityModels) {
  return createGroupByFieldLoader<TransitStopDoc>(
    models.TransitStop,
    'district',
  );
}
